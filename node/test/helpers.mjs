// Shared by the tests: the vectors, the canonical form of records, and a fresh emulator per test file.
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const VECTORS = join(ROOT, 'tests', 'vectors')

export function vectorFiles () {
  const out = []
  for (const dir of readdirSync(VECTORS, { withFileTypes: true })) {
    if (!dir.isDirectory()) {
      if (dir.name.endsWith('.json')) out.push(dir.name)
      continue
    }
    for (const f of readdirSync(join(VECTORS, dir.name))) if (f.endsWith('.json')) out.push(`${dir.name}/${f}`)
  }
  return out.sort()
}

export const load = (name) => JSON.parse(readFileSync(join(VECTORS, name), 'utf8'))

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())

/** The JS form of a canonical result of the vectors: camelCase fields, raw/data/session as they are. */
export function jsForm (v) {
  if (Array.isArray(v)) return v.map(jsForm)
  if (v === null || typeof v !== 'object') return v
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k === 'raw' || k === 'data' || k === 'session' ? k : camel(k), x]))
}

/** A record with its hidden fields (raw, session) made plain, for comparisons. */
export function plainRecord (v) {
  if (Array.isArray(v)) return v.map(plainRecord)
  if (v === null || typeof v !== 'object') return v
  const out = { ...v }
  for (const k of ['raw', 'session']) if (Object.prototype.hasOwnProperty.call(v, k)) out[k] = v[k]
  return JSON.parse(JSON.stringify(out))
}
