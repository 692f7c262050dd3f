'use strict'
// hostapi for Node: clients of the Velneo Cloud API and WEDOS WAPI over one Rust core, the sans-I/O protocol
// functions, and the emulator of both APIs for tests. The handle classes come from generated.cjs (the operation
// model); this file adds the clients' construction and lifecycle, the protocol functions and the emulator.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')
const internal = require('./internal.cjs')
const generated = require('./generated.cjs')

const { native, NATIVE, settings, fromNative, toRecord, checkOptions, expectType } = internal

/** Passed by fromEnv() only: the core reads the environment first. */
const FROM_ENV = Symbol('hostapi.fromEnv')

function defineNative (client, make, operation) {
  let n
  try {
    n = make()
  } catch (e) {
    throw fromNative(e, operation)
  }
  Object.defineProperty(client, NATIVE, { value: n })
}

function guarded (f, operation = 'hostapi') {
  try {
    return f()
  } catch (e) {
    throw fromNative(e, operation)
  }
}

/** A Velneo Cloud API client. Calls return Promises; many may run at once and share one login. */
class VelneoClient extends generated.VelneoClientBase {
  /**
   * @param {object} options `email`, `apiKey` (only ever hashed, never sent or shown), `baseUrl`, `timeoutMs`,
   *   `connectTimeoutMs`, `retries`, `verify`, `caBundle`, `userAgent`, `backoffMs`, `httpVerbs`.
   */
  constructor (options = {}, fromEnv = undefined) {
    super()
    const extra = fromEnv === FROM_ENV ? { from_env: true } : {}
    defineNative(this, () => new native.NativeVelneoClient(settings(generated.VELNEO_SETTINGS, options, 'velneo client', extra)), 'velneo client')
  }

  /** A client configured from VELNEO_EMAIL, VELNEO_API_KEY and VELNEO_BASE_URL; explicit `options` win. */
  static fromEnv (options = {}) {
    return new VelneoClient(options, FROM_ENV)
  }

  /** The account e-mail. */
  get email () {
    return this[NATIVE].email
  }

  /** The API root this client talks to. */
  get baseUrl () {
    return this[NATIVE].baseUrl
  }

  /** How many logins this client has performed (one per session). */
  get loginCount () {
    return guarded(() => this[NATIVE].loginCount)
  }

  /** Whether close() was called. */
  get closed () {
    return this[NATIVE].closed
  }

  /**
   * Logs out when a session is live, and releases the client; later calls reject with a ConfigError. Never
   * rejects: a failing logout (the server is gone) must not hide the error that brought you here. Call logout()
   * first to see its outcome.
   */
  async close () {
    if (this.closed) return
    try {
      await this.logout()
    } catch {
      // best effort: the session ends on the server by itself
    } finally {
      this[NATIVE].close()
    }
  }

  [util.inspect.custom] (depth, options, inspect) {
    return `VelneoClient ${inspect({ email: this.email, baseUrl: this.baseUrl, closed: this.closed }, options)}`
  }

  toJSON () {
    return { email: this.email, baseUrl: this.baseUrl }
  }
}

/** A WEDOS WAPI client. Calls return Promises; hourly budgets, the guard and the notification spool are the account's, shared by every hostapi client of it on the machine. */
class WedosClient extends generated.WedosClientBase {
  /**
   * @param {object} options `user`, `password` (the WAPI password; never shown), `baseUrl`, `testMode`, `onLimit`
   *   (`'raise'` or `'wait'`), `maxAuthFailures`, `maxInvalidRequests`, `stateDir` (the account state every hostapi
   *   client of the account on the machine shares; `':memory:'` keeps it in this client), `hourlyLimits`,
   *   `budgetWindowMs`, `pollIntervalMs`,
   *   `hourBoundaryWindowMs`, and the transport settings of VelneoClient.
   */
  constructor (options = {}, fromEnv = undefined) {
    super()
    const extra = fromEnv === FROM_ENV ? { from_env: true } : {}
    defineNative(this, () => new native.NativeWedosClient(settings(generated.WEDOS_SETTINGS, options, 'wedos client', extra)), 'wedos client')
  }

  /** A client configured from WEDOS_USER, WEDOS_PASSWORD and WEDOS_BASE_URL; explicit `options` win. */
  static fromEnv (options = {}) {
    return new WedosClient(options, FROM_ENV)
  }

  /** The account login. */
  get user () {
    return this[NATIVE].user
  }

  /** The JSON endpoint this client talks to. */
  get baseUrl () {
    return this[NATIVE].baseUrl
  }

  /** Whether close() was called. */
  get closed () {
    return this[NATIVE].closed
  }

  /** Authentication/IP failures in a row so far (every client of the account on this machine). */
  get authFailures () {
    return guarded(() => this[NATIVE].authFailures)
  }

  /**
   * Lets every client of the account on this machine send again after the guard stopped them (after fixing the
   * password, the IPs or the input): clears the stop and the invalid-answer count.
   */
  resetAuthGuard () {
    guarded(() => this[NATIVE].resetAuthGuard())
  }

  /** The file of the account state shared by every client of the account on this machine (null in memory). */
  get stateFile () {
    return guarded(() => this[NATIVE].stateFile ?? null)
  }

  /** A fresh, unique clTRID (`hostapi-<instance>-<sequence>-<unix>`). */
  newCltrid () {
    return guarded(() => this[NATIVE].newCltrid())
  }

  /** Releases the client; later calls reject with a ConfigError. */
  async close () {
    this[NATIVE].close()
  }

  [util.inspect.custom] (depth, options, inspect) {
    return `WedosClient ${inspect({ user: this.user, baseUrl: this.baseUrl, closed: this.closed }, options)}`
  }

  toJSON () {
    return { user: this.user, baseUrl: this.baseUrl }
  }
}

// ---- sans-I/O protocol functions ---------------------------------------------------------------------------------

const bytes = (body) => (typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body))
const frozenRequest = (r) => Object.freeze({ ...r, headers: Object.freeze(r.headers.map((h) => Object.freeze([...h]))) })

const protocol = Object.freeze({
  velneo: Object.freeze({
    /** sha1(subject + decimal(timestamp) + apiKey), lowercase hex. */
    sign (subject, timestamp, apiKey) {
      expectType('velneo sign', 'subject', subject, 'string')
      expectType('velneo sign', 'timestamp', timestamp, 'integer')
      expectType('velneo sign', 'apiKey', apiKey, 'string')
      return native.velneoSign(subject, timestamp, apiKey)
    },
    /** The exact request of an operation with snake_case `args` (see docs/operations.md). */
    buildRequest (operation, args, options = {}) {
      const label = `velneo ${operation}`
      expectType('velneo', 'operation', operation, 'string')
      const o = checkOptions(label, options, ['authEmail', 'session', 'apiKey', 'timestamp', 'baseUrl', 'httpVerbs'])
      expectType(label, 'apiKey', o.apiKey, 'string')
      expectType(label, 'timestamp', o.timestamp, 'integer')
      expectType(label, 'authEmail', o.authEmail, 'string', true)
      expectType(label, 'session', o.session, 'string', true)
      expectType(label, 'baseUrl', o.baseUrl, 'string', true)
      expectType(label, 'httpVerbs', o.httpVerbs, 'boolean', true)
      return frozenRequest(guarded(() => native.velneoBuildRequest(operation, args ?? null, o.authEmail ?? null,
        o.session ?? null, o.apiKey, o.timestamp, o.baseUrl ?? null, o.httpVerbs ?? null)))
    },
    /** The record(s) of an answer, or the HostapiError it means (thrown). */
    parseResponse: (operation, status, body) => toRecord(guarded(() => native.velneoParseResponse(operation, status, bytes(body))))
  }),
  wedos: Object.freeze({
    /** sha1(user + sha1(password) + HH), HH the zero-padded Europe/Prague hour at `unix`. */
    auth (user, password, unix) {
      expectType('wedos auth', 'user', user, 'string')
      expectType('wedos auth', 'password', password, 'string')
      expectType('wedos auth', 'unix', unix, 'integer')
      return guarded(() => native.wedosAuth(user, password, unix), 'wedos auth')
    },
    /** The hour (0–23) in Europe/Prague at `unix` (rules built in: no host time zone database). */
    pragueHour (unix) {
      expectType('wedos prague hour', 'unix', unix, 'integer')
      return guarded(() => native.wedosPragueHour(unix), 'wedos prague hour')
    },
    /** The exact request of an operation with snake_case `args`. */
    buildRequest (operation, args, options = {}) {
      const label = `wedos ${operation}`
      expectType('wedos', 'operation', operation, 'string')
      const o = checkOptions(label, options, ['user', 'password', 'unix', 'baseUrl', 'cltrid', 'test'])
      expectType(label, 'user', o.user, 'string')
      expectType(label, 'password', o.password, 'string')
      expectType(label, 'unix', o.unix, 'integer')
      expectType(label, 'baseUrl', o.baseUrl, 'string', true)
      expectType(label, 'cltrid', o.cltrid, 'string', true)
      expectType(label, 'test', o.test, 'boolean', true)
      return frozenRequest(guarded(() => native.wedosBuildRequest(operation, args ?? null, o.user, o.password, o.unix,
        o.baseUrl ?? null, o.cltrid ?? null, o.test ?? null)))
    },
    /** The record(s) of an answer to `operation` with `args`, or the HostapiError it means (thrown). */
    parseResponse: (operation, status, body, args = null) =>
      toRecord(guarded(() => native.wedosParseResponse(operation, args ?? null, status, bytes(body)))),
    /** A notification as WEDOS POSTs it (form field `request`, or the bare JSON document). */
    parseNotification: (body) => toRecord(guarded(() => native.wedosParseNotification(bytes(body))))
  })
})

/** A notification as WEDOS POSTs it to your URL: for webhook handlers. */
const parseNotification = protocol.wedos.parseNotification

// ---- the emulator ------------------------------------------------------------------------------------------------

/**
 * Starts the emulator of both APIs in-process, on a free loopback port (or `port`), with the documented demo
 * accounts (or `config`); with `dnsPort` (0: a free one) it also serves DNS for every WEDOS zone (`emu.dns`). Its
 * server runs on its own thread and never keeps the process alive.
 */
async function startEmulator (options = {}) {
  const o = checkOptions('emulator', options, ['config', 'host', 'port', 'dnsPort'])
  expectType('emulator', 'host', o.host, 'string', true)
  for (const key of ['port', 'dnsPort']) {
    if (o[key] !== undefined && !(Number.isInteger(o[key]) && o[key] >= 0 && o[key] <= 65535)) {
      throw internal.configError('emulator', `${key} must be an integer 0-65535`)
    }
  }
  if (o.host !== undefined && !['127.0.0.1', '::1', 'localhost'].includes(o.host)) {
    process.emitWarning(`the hostapi emulator serves public demo credentials; it now listens on ${o.host}`)
  }
  const host = o.host === 'localhost' ? '127.0.0.1' : o.host
  const server = guarded(() => new native.NativeEmulator(o.config ? JSON.stringify(o.config) : null, host ?? null, o.port ?? null, o.dnsPort ?? null))
  const demo = Object.freeze(native.emulatorDemo())
  const url = server.url
  // The account state of the emulator's WEDOS clients: a directory of its own, removed by stop(), so a test never
  // writes into the user's $XDG_STATE_HOME (clients given another stateDir or stateStore keep theirs).
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostapi-emulator-state-'))
  const removeStateDir = () => fs.rmSync(stateDir, { recursive: true, force: true })
  const control = (method, path, body) => server.control(method, path, body === undefined ? null : body)
  const emulator = {
    url,
    velneoUrl: server.velneoUrl,
    wedosUrl: server.wedosUrl,
    controlUrl: `${url}/_emulator`,
    dns: server.dns ?? null,
    velneoClient: (opts = {}) => new VelneoClient({ email: demo.velneoEmail, apiKey: demo.velneoApiKey, baseUrl: server.velneoUrl, ...opts }),
    stateDir,
    wedosClient: (opts = {}) => new WedosClient({
      user: demo.wedosUser,
      password: demo.wedosPassword,
      baseUrl: server.wedosUrl,
      ...(opts.stateStore === undefined ? { stateDir } : {}),
      ...opts
    }),
    reset: async () => {
      await control('POST', 'reset')
    },
    state: () => control('GET', 'state'),
    setClock: (offsetSecs) => control('POST', 'clock', { offset_secs: offsetSecs }),
    addFault: ({ path, status, body, times = 1, delayMs = 0, headers, apply, action, size, dripBytes, dripIntervalMs, chunked }) =>
      control('POST', 'faults', {
        path,
        status,
        body,
        times,
        delay_ms: delayMs,
        headers,
        apply,
        action,
        size,
        drip_bytes: dripBytes,
        drip_interval_ms: dripIntervalMs,
        chunked
      }).then((r) => r.faults),
    requests: async (path) => {
      const counts = (await control('GET', 'state')).requests ?? {}
      return path === undefined ? counts : (counts[path] ?? 0)
    },
    stop: async () => {
      try {
        await server.stop()
      } finally {
        removeStateDir()
      }
    },
    [util.inspect.custom]: (depth, opts, inspect) => `Emulator ${inspect({ url, running: server.running }, opts)}`
  }
  // The demo credentials are public, but kept out of inspect output all the same.
  Object.defineProperty(emulator, 'demo', { value: demo, enumerable: false })
  return Object.freeze(emulator)
}

const version = native.coreInfo().version

module.exports = {
  VelneoClient,
  WedosClient,
  HostapiError: internal.HostapiError,
  ConfigError: internal.ConfigError,
  TransportError: internal.TransportError,
  TimeoutError: internal.TimeoutError,
  ProtocolError: internal.ProtocolError,
  AuthenticationError: internal.AuthenticationError,
  RateLimitedError: internal.RateLimitedError,
  VServerCredentialsError: internal.VServerCredentialsError,
  ApiError: internal.ApiError,
  protocol,
  parseNotification,
  startEmulator,
  version
}
