// Access tokens as the gateway issues them (learnhub/auth/tokens.py): HS256 only, the key picked
// by the header's `kid`, the issuer checked, exp/iat/sub/iss required, and `typ: "access"`.
import jwt from 'jsonwebtoken';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ANONYMOUS = Object.freeze({ userId: null, tokenError: null });

export function makeVerifier({ jwtKeys, jwtIssuer }) {
  function claimsOf(token) {
    const kid = jwt.decode(token, { complete: true })?.header?.kid;
    const secret = typeof kid === 'string' && Object.hasOwn(jwtKeys, kid) ? jwtKeys[kid] : undefined;
    if (secret === undefined) throw new Error('unknown key id');
    const claims = jwt.verify(token, secret, { algorithms: ['HS256'], issuer: jwtIssuer });
    for (const name of ['exp', 'iat', 'sub', 'iss']) {
      if (claims[name] === undefined) throw new Error(`the token has no ${name}`);
    }
    if (claims.typ !== 'access') throw new Error('not an access token');
    if (typeof claims.sub !== 'string' || !UUID.test(claims.sub)) throw new Error('sub is not a user id');
    return claims;
  }

  // The viewer of a request: anonymous without a header, an error to report when it is wrong.
  return function viewerOf(authorization) {
    if (!authorization) return ANONYMOUS;
    const space = authorization.indexOf(' ');
    const scheme = space < 0 ? authorization : authorization.slice(0, space);
    const token = space < 0 ? '' : authorization.slice(space + 1).trim();
    if (scheme.toLowerCase() !== 'bearer' || !token) {
      return { userId: null, tokenError: 'Authorization header must be `Bearer <token>`' };
    }
    try {
      return { userId: claimsOf(token).sub.toLowerCase(), tokenError: null };
    } catch {
      return { userId: null, tokenError: 'The access token is invalid or has expired' };
    }
  };
}
