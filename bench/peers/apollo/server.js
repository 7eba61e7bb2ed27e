// The benchmark's Apollo Server peer: the four read shapes of bench/queries over the gateway's
// stores, in one Node process. `PORT=8001 node server.js` with the gateway's environment.
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { makeVerifier } from './src/auth.js';
import { loadConfig } from './src/config.js';
import { createLoaders } from './src/loaders.js';
import { resolvers } from './src/resolvers.js';
import { openStores } from './src/stores.js';

// The bench (bench/servers.py) starts serving load once this line is in the log, as with uvicorn.
const READY_LINE = 'Application startup complete';

const config = loadConfig();
const typeDefs = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
const stores = await openStores(config);
const viewerOf = makeVerifier(config);

// Termination is handled below, so the pools close after the last request is answered.
const server = new ApolloServer({ typeDefs, resolvers, stopOnTerminationSignals: false });
const { url } = await startStandaloneServer(server, {
  listen: { host: config.host, port: config.port },
  async context({ req }) {
    const viewer = viewerOf(req.headers.authorization);
    return { viewer, stores, loaders: createLoaders(stores, viewer) };
  },
});
console.log(`${READY_LINE}: Apollo Server listening on ${url}`);

async function shutdown(signal) {
  console.log(`${signal}: stopping`);
  await server.stop();
  await stores.close();
  process.exit(0);
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
