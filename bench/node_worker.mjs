// The Node figures of `make bench`: one measurement per process, printed as one JSON line {calls, secs, cpu}.
//
//   node bench/node_worker.mjs hostapi|fetch|undici VELNEO_BASE_URL SECS     64 calls in flight
//   node bench/node_worker.mjs require                                time of require('hostapi')
//
// The baselines are what a careful user writes with the built-in fetch, and with the fastest HTTP client Node has,
// undici's own request() (pinned in node/package.json's devDependencies, with an Agent of 64 keep-alive
// connections): keep-alive, log in once, sign each request anew (SHA-1 over session + timestamp + API key), read
// the JSON answer.
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const EMAIL = 'ejemplo@gmail.com'
const API_KEY = 'NyraFY6GMz8lu1fameMdrH0V'
const CONCURRENCY = 64
const WARMUP = 200
const root = join(dirname(fileURLToPath(import.meta.url)), '..')

const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6 }

async function inFlight (call, secs) {
  for (let i = 0; i < WARMUP; i++) await call()
  let stop = false
  let count = 0
  const worker = async () => { while (!stop) { await call(); count++ } }
  const c0 = cpu()
  const t0 = performance.now()
  const workers = Array.from({ length: CONCURRENCY }, worker)
  await new Promise((resolve) => setTimeout(resolve, secs * 1000))
  stop = true
  await Promise.all(workers)
  console.log(JSON.stringify({ calls: count, secs: (performance.now() - t0) / 1000, cpu: cpu() - c0 }))
}

const sha1 = (s) => createHash('sha1').update(s).digest('hex')
const form = (method, params) => new URLSearchParams({ method, params: JSON.stringify(params) }).toString()
const headers = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }

const [mode, base, secsText] = process.argv.slice(2)
if (mode === 'require') {
  const t0 = performance.now()
  createRequire(import.meta.url)(join(root, 'node', 'index.cjs'))
  console.log(JSON.stringify({ calls: 1, secs: (performance.now() - t0) / 1000, cpu: 0 }))
} else if (mode === 'hostapi') {
  const { VelneoClient } = await import(join(root, 'node', 'index.mjs'))
  const client = new VelneoClient({ email: EMAIL, apiKey: API_KEY, baseUrl: base })
  await inFlight(() => client.vserver.status(), Number(secsText))
  await client.close()
} else if (mode === 'fetch') {
  let ts = Math.floor(Date.now() / 1000)
  const login = await fetch(`${base}/session`, { method: 'POST', headers, body: form('POST', { email: EMAIL, timestamp: ts, signed: sha1(`${EMAIL}${ts}${API_KEY}`) }) })
  const { session } = await login.json()
  const call = async () => {
    ts = Math.floor(Date.now() / 1000)
    const r = await fetch(`${base}/vserver`, { method: 'POST', headers, body: form('GET', { session, timestamp: ts, signed: sha1(`${session}${ts}${API_KEY}`) }) })
    if (!r.ok) throw new Error(`HTTP ${r.status}`)
    return (await r.json()).status
  }
  await inFlight(call, Number(secsText))
} else if (mode === 'undici') {
  const { Agent, request } = createRequire(join(root, 'node', 'package.json'))('undici')
  const dispatcher = new Agent({ connections: CONCURRENCY, pipelining: 1 })
  const post = async (path, body) => {
    const r = await request(`${base}${path}`, { method: 'POST', headers, body, dispatcher })
    if (r.statusCode !== 200) throw new Error(`HTTP ${r.statusCode}`)
    return r.body.json()
  }
  let ts = Math.floor(Date.now() / 1000)
  const { session } = await post('/session', form('POST', { email: EMAIL, timestamp: ts, signed: sha1(`${EMAIL}${ts}${API_KEY}`) }))
  const call = async () => {
    ts = Math.floor(Date.now() / 1000)
    return (await post('/vserver', form('GET', { session, timestamp: ts, signed: sha1(`${session}${ts}${API_KEY}`) }))).status
  }
  await inFlight(call, Number(secsText))
  await dispatcher.close()
} else {
  console.error(`unknown mode ${mode}`)
  process.exit(2)
}
