// Every file of tests/vectors/ through the package's sans-I/O functions: the facts every language agrees on.
import { test } from 'node:test'
import assert from 'node:assert/strict'

import * as hostapi from 'hostapi'
import { load, vectorFiles, jsForm, plainRecord } from './helpers.mjs'

const { protocol } = hostapi
const CLASSES = {
  Config: hostapi.ConfigError,
  Transport: hostapi.TransportError,
  Timeout: hostapi.TimeoutError,
  Protocol: hostapi.ProtocolError,
  Authentication: hostapi.AuthenticationError,
  RateLimited: hostapi.RateLimitedError,
  VServerCredentials: hostapi.VServerCredentialsError,
  Api: hostapi.ApiError
}

function checkError (name, fn, expected) {
  let caught
  try {
    fn()
  } catch (e) {
    caught = e
  }
  assert.ok(caught, `${name}: an error was expected`)
  assert.ok(caught instanceof CLASSES[expected.kind], `${name}: ${caught}`)
  assert.ok(caught instanceof hostapi.HostapiError)
  assert.equal(caught.kind, expected.kind, name)
  assert.match(caught.code, /^HOSTAPI_/)
  if ('code' in expected) assert.equal(caught.apiCode, expected.code, `${name}: ${caught.message}`)
  if ('http_status' in expected) assert.equal(caught.httpStatus, expected.http_status, name)
  if ('message_contains' in expected) {
    // Configuration errors speak of Node's names (camelCase for the core's snake_case words).
    const camel = (s) => s.replace(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g, (w) => w.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()))
    const want = expected.kind === 'Config' ? camel(expected.message_contains) : expected.message_contains
    assert.ok(caught.message.includes(want), `${name}: ${caught.message}`)
  }
  assert.ok(caught.message.startsWith(`${caught.operation}: `), `${name}: ${caught.message}`)
}

const body = (req) => new URLSearchParams(req.body)
const header = (req, name) => req.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1]

test('every vector file is read', () => {
  assert.deepEqual(vectorFiles(), [
    'faults.json', // test/faults.test.mjs
    'velneo/requests.json', 'velneo/responses.json', 'velneo/signing.json',
    'wedos/auth.json', 'wedos/notifications.json', 'wedos/requests.json', 'wedos/responses.json'
  ])
})

test('velneo signing', () => {
  for (const c of load('velneo/signing.json').cases) {
    assert.equal(protocol.velneo.sign(c.subject, c.timestamp, c.api_key), c.signed, c.name)
  }
})

test('velneo requests', () => {
  const doc = load('velneo/requests.json')
  for (const c of doc.cases) {
    const options = { authEmail: c.auth.email, session: c.auth.session, apiKey: doc.api_key, timestamp: c.timestamp, baseUrl: doc.base_url }
    if (c.expect.error) {
      checkError(c.name, () => protocol.velneo.buildRequest(c.operation, c.args, options), c.expect.error)
      continue
    }
    const req = protocol.velneo.buildRequest(c.operation, c.args, options)
    assert.equal(req.method, c.expect.method, c.name)
    assert.equal(req.url, c.expect.url, c.name)
    assert.equal(req.body, c.expect.body, c.name)
    assert.deepEqual([...body(req)], [['method', c.expect.verb], ['params', c.expect.params]], c.name)
    assert.equal(header(req, 'Content-Type'), c.expect.content_type, c.name)
  }
})

test('velneo responses', () => {
  for (const c of load('velneo/responses.json').cases) {
    if (c.expect.error) {
      checkError(c.name, () => protocol.velneo.parseResponse(c.operation, c.http_status, c.body), c.expect.error)
      continue
    }
    const got = protocol.velneo.parseResponse(c.operation, c.http_status, Buffer.from(c.body, 'utf8'))
    assert.deepEqual(plainRecord(got), jsForm(c.expect.ok), c.name)
  }
})

test('wedos auth and the Prague hour', () => {
  for (const c of load('wedos/auth.json').cases) {
    assert.equal(String(protocol.wedos.pragueHour(c.unix)).padStart(2, '0'), c.hour, c.name)
    assert.equal(protocol.wedos.auth(c.user, c.password, c.unix), c.auth, c.name)
  }
})

test('wedos requests', () => {
  const doc = load('wedos/requests.json')
  for (const c of doc.cases) {
    const options = { user: doc.user, password: doc.password, unix: c.unix, baseUrl: doc.base_url, cltrid: c.options.cltrid, test: c.options.test }
    if (c.expect.error) {
      checkError(c.name, () => protocol.wedos.buildRequest(c.operation, c.args, options), c.expect.error)
      continue
    }
    const req = protocol.wedos.buildRequest(c.operation, c.args, options)
    assert.equal(req.method, c.expect.method, c.name)
    assert.equal(req.url, c.expect.url, c.name)
    assert.equal(req.body, c.expect.body, c.name)
    assert.deepEqual([...body(req)], [['request', c.expect.document]], c.name)
    assert.equal(header(req, 'Content-Type'), c.expect.content_type, c.name)
  }
})

test('wedos responses', () => {
  for (const c of load('wedos/responses.json').cases) {
    if (c.expect.error) {
      checkError(c.name, () => protocol.wedos.parseResponse(c.operation, c.http_status, c.body, c.args), c.expect.error)
      continue
    }
    const got = protocol.wedos.parseResponse(c.operation, c.http_status, c.body, c.args)
    assert.deepEqual(plainRecord(got), jsForm(c.expect.ok), c.name)
  }
})

test('wedos notifications', () => {
  for (const c of load('wedos/notifications.json').cases) {
    if (c.expect.error) {
      let caught
      try {
        hostapi.parseNotification(c.body)
      } catch (e) {
        caught = e
      }
      assert.ok(caught instanceof CLASSES[c.expect.error.kind], c.name)
      assert.equal(caught.operation, 'wedos notification', c.name)
      continue
    }
    assert.deepEqual(plainRecord(hostapi.parseNotification(c.body)), jsForm(c.expect.ok), c.name)
  }
})

test('bad input to the protocol functions is a ConfigError naming the operation', () => {
  assert.throws(() => protocol.velneo.buildRequest('nope', {}, { apiKey: 'k', timestamp: 1, session: 's' }), hostapi.ConfigError)
  assert.throws(() => protocol.velneo.buildRequest('users.get', { username: 'u' }, { apiKey: 'k', timestamp: 1 }), /exactly one/)
  assert.throws(() => protocol.wedos.buildRequest('dns.add_row', { domain: 'a.cz', name: '', rdtype: 'A', rdata: 'x', ttl: 5 },
    { user: 'u', password: 'p', unix: 1 }), (e) => e instanceof hostapi.ConfigError && e.operation === 'wedos dns-row-add' && /ttl/.test(e.message))
  assert.throws(() => protocol.velneo.buildRequest('users.get', {}, { apiKey: 'k', timestamp: 1, session: 's', colour: 1 }), /unknown option "colour"/)
})
