// The settings the gateway reads (learnhub/core/settings.py), from the same environment names
// and with the same defaults, so one environment points every server at the same stores and keys.

// Development-only signing key: the gateway's default when JWT_KEYS is not set.
const DEV_JWT_SECRET = 'learnhub-development-signing-key-change-me-0123456789';

function jwtKeys(text) {
  if (!text) return { 'dev-1': DEV_JWT_SECRET };
  const keys = JSON.parse(text);
  if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) {
    throw new Error('JWT_KEYS must be a JSON object of key id -> secret');
  }
  return keys;
}

export function loadConfig(env = process.env) {
  const databaseUrl = env.DATABASE_URL ?? 'postgresql+asyncpg://postgres@127.0.0.1:54329/learnhub';
  const poolSize = Number.parseInt(env.DATABASE_POOL_SIZE ?? '10', 10);
  return {
    // The gateway's URL names its Python driver; node-postgres wants the plain scheme.
    databaseUrl: databaseUrl.replace(/^postgres(ql)?\+\w+:/, 'postgresql:'),
    // The gateway's SQLAlchemy pool holds pool_size connections plus as many overflow ones.
    databasePoolMax: 2 * poolSize,
    mongodbUrl: env.MONGODB_URL ?? 'mongodb://127.0.0.1:27019/?replicaSet=rs0',
    mongodbDatabase: env.MONGODB_DATABASE ?? 'learnhub',
    jwtKeys: jwtKeys(env.JWT_KEYS),
    jwtIssuer: env.JWT_ISSUER ?? 'learnhub',
    host: '127.0.0.1',
    port: Number.parseInt(env.PORT ?? '4000', 10),
  };
}
