// GraphQL-over-HTTP conformance audit (npm graphql-http's auditServer) against a running
// server: `node tests/graphql_http_audit.mjs URL TOKEN` prints the results as one JSON array.
// tests/test_clients.py runs it against `crm-graphql serve` and judges the results.
import { auditServer } from 'graphql-http';

const [url, token] = process.argv.slice(2);
const fetchFn = (input, init = {}) =>
  fetch(input, { ...init, headers: { ...(init.headers || {}), authorization: `Bearer ${token}` } });
const results = await auditServer({ url, fetchFn });
console.log(JSON.stringify(results.map(({ id, name, status, reason }) => ({ id, name, status, reason }))));
