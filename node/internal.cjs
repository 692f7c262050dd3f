'use strict'
// The runtime every part of the package shares: the native module, the error classes, argument and result
// conversion, cancellation. Hand-written; the handle classes (generated.cjs) call into it.

const { existsSync, readFileSync } = require('node:fs')
const { join } = require('node:path')
const { setTimeout: delay } = require('node:timers/promises')

// The native module: a build in this directory (`npm run build`, or a package packed from a source checkout),
// else the prebuilt one of this platform, which npm installs as an optional dependency (napi-rs's layout:
// one package per platform, `hostapi-linux-x64-gnu` and so on).
const NATIVE_FILE = join(__dirname, 'native', 'hostapi.node')
const { version: VERSION, napi: { targets } } = require('./package.json')
/** The platforms with a prebuilt package: napi's targets (x86_64-unknown-linux-gnu → linux-x64-gnu). */
const PREBUILT = targets.map((t) => {
  const [arch, , os, libc] = t.split('-')
  return `${os}-${{ x86_64: 'x64', aarch64: 'arm64' }[arch] ?? arch}-${libc}`
})

/** This process's platform as the prebuilt packages name theirs: `linux-arm64-musl`, `darwin-arm64`, … */
function platformName () {
  if (process.platform !== 'linux') return `${process.platform}-${process.arch}`
  return `linux-${process.arch}-${isMusl() ? 'musl' : 'gnu'}`
}

/** musl (Alpine) or glibc: ldd says which C library it belongs to; else a glibc Node reports its glibc. */
function isMusl () {
  try {
    return readFileSync('/usr/bin/ldd', 'latin1').includes('musl')
  } catch {
    return !process.report?.getReport?.()?.header?.glibcVersionRuntime
  }
}

function loadNative () {
  if (existsSync(NATIVE_FILE)) {
    try {
      return require(NATIVE_FILE)
    } catch (e) {
      throw new Error(`hostapi: cannot load the native module ${NATIVE_FILE} (${e.message}); rebuild it with \`npm run build:release\``, { cause: e })
    }
  }
  const platform = platformName()
  const pkg = `hostapi-${platform}`
  if (!PREBUILT.includes(platform)) {
    throw new Error(`hostapi: no prebuilt native module for ${platform} (Node.js ${process.version}); prebuilt ones exist ` +
      `for ${PREBUILT.join(', ')}. Build it from the source repository: \`npm ci && npm run build:release\` in node/ (needs Rust 1.88+)`)
  }
  let meta
  try {
    meta = require(`${pkg}/package.json`)
  } catch (e) {
    throw new Error(`hostapi: the native module of this platform (${platform}) is the package ${pkg}, which is not installed. ` +
      'npm installs it with hostapi unless optional dependencies are left out (--omit=optional, --no-optional) or the ' +
      'package-lock.json was made on another platform (then remove node_modules and package-lock.json and install ' +
      `again); or \`npm install ${pkg}@${VERSION}\``, { cause: e })
  }
  if (meta.version !== VERSION) {
    throw new Error(`hostapi: ${pkg} is version ${meta.version}, hostapi is ${VERSION}: install the same version of both ` +
      `(\`npm install hostapi@${VERSION} ${pkg}@${VERSION}\`)`)
  }
  try {
    return require(pkg)
  } catch (e) {
    throw new Error(`hostapi: cannot load the native module of ${pkg} (${e.message})`, { cause: e })
  }
}
const native = loadNative()

/** Where a client keeps its native half, and where a handle keeps its client. */
const NATIVE = Symbol('hostapi.native')
const CLIENT = Symbol('hostapi.client')

// ---- errors ------------------------------------------------------------------------------------------------------

/** The fixed number and stable code of each kind, from the core's one table. */
const KINDS = Object.fromEntries(native.operationModel().errors.map((e) => [e.kind, e]))

class HostapiError extends Error {
  constructor (message, fields = {}) {
    super(message)
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false, configurable: true, writable: true })
    const kind = fields.kind ?? new.target.kind ?? 'Api'
    this.kind = kind
    this.code = KINDS[kind]?.code ?? 'HOSTAPI_ERROR'
    this.number = KINDS[kind]?.number ?? 0
    this.operation = fields.operation ?? ''
    this.apiCode = fields.apiCode ?? null
    this.httpStatus = fields.httpStatus ?? null
    this.body = fields.body ?? null
    this.mayHaveApplied = fields.mayHaveApplied ?? false
  }
}

class ConfigError extends HostapiError {}
ConfigError.kind = 'Config'
class TransportError extends HostapiError {}
TransportError.kind = 'Transport'
class TimeoutError extends HostapiError {}
TimeoutError.kind = 'Timeout'
class ProtocolError extends HostapiError {}
ProtocolError.kind = 'Protocol'
class AuthenticationError extends HostapiError {}
AuthenticationError.kind = 'Authentication'
class RateLimitedError extends HostapiError {
  constructor (message, fields = {}) {
    super(message, fields)
    this.retryAfterMs = fields.retryAfterMs ?? null
  }
}
RateLimitedError.kind = 'RateLimited'
class VServerCredentialsError extends HostapiError {}
VServerCredentialsError.kind = 'VServerCredentials'
class ApiError extends HostapiError {
  /** The HTTP status (same as httpStatus). */
  get status () {
    return this.httpStatus
  }
}
ApiError.kind = 'Api'

const CLASSES = {
  Config: ConfigError,
  Transport: TransportError,
  Timeout: TimeoutError,
  Protocol: ProtocolError,
  Authentication: AuthenticationError,
  RateLimited: RateLimitedError,
  VServerCredentials: VServerCredentialsError,
  Api: ApiError
}

/** The HostapiError a native error carries (its message is the core error as JSON). A value the native side
 * could not convert becomes a ConfigError that names the operation but never echoes the value (it may be a
 * secret); other errors stay as they are. */
function fromNative (e, operation = 'hostapi') {
  if (e instanceof HostapiError) return e
  const text = e && typeof e.message === 'string' ? e.message : ''
  if (!text.startsWith('{"hostapi":true')) {
    if (/^Failed to convert/.test(text) || ['StringExpected', 'NumberExpected', 'ObjectExpected', 'InvalidArg', 'BooleanExpected'].includes(e?.code)) {
      return configError(operation, 'an argument has the wrong type, or is a number that is not finite')
    }
    return e
  }
  let p
  try {
    p = JSON.parse(text)
  } catch {
    return e
  }
  const Class = CLASSES[p.kind] ?? HostapiError
  return new Class(Class === ConfigError ? nodeWords(p.text, p.operation) : p.text, p)
}

/** A configuration error's text in Node's names: `isSupervisor`, `fromEnv` for the core's snake_case words
 * (environment variables, in capitals, stay; so do paths and URLs, whatever their names hold). The operation that
 * starts it keeps the core's stable name, as `error.operation` does. */
function nodeWords (text, operation) {
  const prefix = operation && text.startsWith(`${operation}: `) ? `${operation}: ` : ''
  return prefix + text.slice(prefix.length).replace(/\S+/g,
    (word) => word.includes('/') ? word : word.replace(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g, camel))
}

function configError (operation, message) {
  return new ConfigError(`${operation}: ${message}`, { operation })
}

/** What an aborted call rejects with, as `fetch` does: the signal's reason (a `TimeoutError` for
 * `AbortSignal.timeout`, whatever was given to `abort(reason)`), else an `AbortError`. */
function abortError (signal) {
  return signal.reason !== undefined ? signal.reason : new DOMException('The hostapi call was aborted', 'AbortError')
}

// ---- conversion --------------------------------------------------------------------------------------------------

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())

function deepFreeze (v) {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x)
    Object.freeze(v)
  }
  return v
}

/**
 * A result of the core's canonical JSON as the package returns it: records are frozen objects with camelCase
 * fields; `raw` (the answer as received) is kept but not enumerated, and so is a session id (a bearer token).
 */
function toRecord (v) {
  if (Array.isArray(v)) return Object.freeze(v.map(toRecord))
  if (v === null || typeof v !== 'object') return v
  const out = {}
  for (const [k, val] of Object.entries(v)) {
    if (k === 'raw' || k === 'session') {
      Object.defineProperty(out, k, { value: deepFreeze(val), enumerable: false })
    } else if (k === 'data') {
      out.data = deepFreeze(val)
    } else {
      out[camel(k)] = deepFreeze(val)
    }
  }
  return Object.freeze(out)
}

/** The options object of a call: checked for unknown keys (a misspelt option is a ConfigError, not ignored). */
function checkOptions (operation, options, known) {
  if (options === undefined || options === null) return {}
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw configError(operation, 'the options must be an object')
  }
  for (const key of Object.keys(options)) {
    if (key !== 'signal' && !known.includes(key)) {
      const expected = known.length ? `expected one of: ${known.join(', ')}, signal` : 'it takes only signal'
      throw configError(operation, `unknown option ${JSON.stringify(key)}; ${expected}`)
    }
  }
  const signal = options.signal
  if (signal !== undefined && signal !== null && !(signal instanceof AbortSignal)) {
    throw configError(operation, 'signal must be an AbortSignal')
  }
  return options
}

/** Checks the type of an argument of a protocol function: a ConfigError naming it (never echoing the value). */
function expectType (operation, name, value, type, optional = false) {
  if ((value === undefined || value === null) && optional) return
  const ok = type === 'integer' ? Number.isSafeInteger(value) : typeof value === type
  if (!ok) throw configError(operation, `${name} must be ${type === 'integer' ? 'an integer' : `a ${type}`}`)
}

/** Whether `v` is an options object (a plain object), for methods whose last positional argument is optional. */
const isOptions = (v) => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype

/** Milliseconds → the core's seconds (other values pass through; the core names them in its error). */
const ms = (v) => (typeof v === 'number' ? v / 1000 : v)
const pairMs = (v) => (Array.isArray(v) ? v.map(ms) : v)
/** A record or the value of its identifying field: the core takes `{field: value}` or the value. */
const recordOr = (v, field) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? { [field]: v[field] } : v)

/** Arguments without `undefined` values (absent for the core). */
function plain (args) {
  const out = {}
  for (const [k, v] of Object.entries(args)) if (v !== undefined) out[k] = v
  return out
}

/** The core's settings from a client's JS options (see the settings tables in generated.cjs). */
function settings (table, options, label, extra = {}) {
  if (options === undefined || options === null) options = {}
  if (typeof options !== 'object' || Array.isArray(options)) throw configError(label, 'the options must be an object')
  const out = { ...extra }
  for (const [key, value] of Object.entries(options)) {
    const entry = table[key]
    if (entry === undefined || entry[0] === 'from_env') {
      const names = Object.keys(table).filter((k) => table[k][0] !== 'from_env')
      throw configError(label, `unknown setting ${JSON.stringify(key)}; expected one of: ${names.join(', ')}`)
    }
    if (value === undefined) continue
    const [name, convert] = entry
    out[name] = convert ? convert(value) : value
  }
  return out
}

let tokens = 0

/** The record of a native call's result (its canonical JSON, as text). */
const recordOf = (text) => toRecord(JSON.parse(text))

/** The calls without a signal or progress callback, settled in batches: the native side queues finished calls and
 * wakes this thread once per batch (not once per call); `drain` takes them all as one JSON array and settles their
 * promises. The process is kept alive while any is pending. */
let batch = null

function startBatch () {
  const pending = new Map()
  const drain = () => {
    for (const [id, ok, value, status] of JSON.parse(b.native.take())) {
      const p = pending.get(id)
      if (p === undefined) continue
      pending.delete(id)
      if (ok) {
        let record
        try {
          record = toRecord(value)
        } catch (e) {
          p.reject(e)
          continue
        }
        p.resolve(record)
      } else {
        p.reject(fromNative(Object.assign(new Error(value), { code: status }), p.operation))
      }
    }
    if (pending.size === 0) b.native.release()
  }
  const b = {
    native: new native.NativeBatch(drain),
    add (id, p) {
      if (pending.size === 0) b.native.hold()
      pending.set(id, p)
    }
  }
  batch = b
  return b
}

/** Runs `operation` on the client's native half; `signal` aborts it (rejecting at once, dropping the request);
 * `onProgress` receives `{received, total}` from the operations that report progress, and stops the call when it
 * throws (the call rejects with its error) or returns false (an AbortError). */
function invoke (client, operation, args, signal, onProgress) {
  const n = client[NATIVE]
  if (onProgress !== undefined && onProgress !== null && typeof onProgress !== 'function') {
    return Promise.reject(configError(operation, 'onProgress must be a function'))
  }
  if (signal?.aborted) return Promise.reject(abortError(signal))
  tokens = (tokens + 1) % 0xffffffff
  const token = tokens
  if (!signal && !onProgress) {
    return new Promise((resolve, reject) => {
      const b = batch ?? startBatch()
      try {
        n.start(operation, plain(args), token, b.native)
      } catch (e) {
        reject(fromNative(e, operation))
        return
      }
      b.add(token, { resolve, reject, operation })
    })
  }
  return new Promise((resolve, reject) => {
    let settled = false
    const finish = () => {
      settled = true
      signal?.removeEventListener('abort', onAbort)
    }
    const stop = (error) => {
      if (settled) return
      finish()
      n.cancel(token)
      reject(error)
    }
    const onAbort = () => stop(abortError(signal))
    signal?.addEventListener('abort', onAbort, { once: true })
    const report = onProgress
      ? (p) => {
          if (settled) return
          let go
          try {
            go = onProgress(Object.freeze({ received: p.received, total: p.total ?? null }))
          } catch (e) {
            stop(e)
            return
          }
          if (go === false) stop(new DOMException('The download was stopped by onProgress', 'AbortError'))
        }
      : null
    n.call(operation, plain(args), token, report).then(
      (v) => {
        if (settled) return
        finish()
        resolve(recordOf(v))
      },
      (e) => {
        if (settled) return
        finish()
        reject(fromNative(e, operation))
      }
    )
  })
}

/** A local operation (no request), at once. */
function callLocal (client, operation) {
  try {
    return toRecord(client[NATIVE].callLocal(operation, null))
  } catch (e) {
    throw fromNative(e)
  }
}

/** Sleeps `ms`, or rejects with an AbortError when `signal` aborts. */
async function sleep (milliseconds, signal) {
  try {
    await delay(milliseconds, undefined, signal ? { signal } : undefined)
  } catch (e) {
    if (signal?.aborted) throw abortError(signal)
    throw e
  }
}

module.exports = {
  native,
  NATIVE,
  CLIENT,
  HostapiError,
  ConfigError,
  TransportError,
  TimeoutError,
  ProtocolError,
  AuthenticationError,
  RateLimitedError,
  VServerCredentialsError,
  ApiError,
  fromNative,
  configError,
  toRecord,
  checkOptions,
  settings,
  invoke,
  callLocal,
  ms,
  pairMs,
  recordOr,
  isOptions,
  expectType,
  sleep
}
