// The README's Node examples run as written.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync, rmSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))
const README = readFileSync(join(HERE, '..', '..', 'README.md'), 'utf8')

const GUIDE = readFileSync(join(HERE, '..', 'README.md'), 'utf8')

/** The Node examples of the project's README (its Node section) and of the package's own guide (node/README.md). */
function nodeBlocks () {
  const start = README.indexOf('## Node quick start')
  const end = README.indexOf('\n## ', start + 1)
  const section = README.slice(start, end) + GUIDE
  // ```js blocks are ES modules (.mjs), ```cjs blocks CommonJS (.cjs).
  return [...section.matchAll(/```(js|cjs)\n([\s\S]*?)```/g)].map((m) => ({ code: m[2], ext: m[1] === 'cjs' ? 'cjs' : 'mjs' }))
}

test('the README has Node examples', () => {
  assert.ok(nodeBlocks().length >= 2)
})

test('the README has a CommonJS example', () => {
  assert.ok(nodeBlocks().some((b) => b.ext === 'cjs'))
})

for (const [i, { code, ext }] of nodeBlocks().entries()) {
  test(`README Node example ${i + 1} runs`, () => {
    // Inside the package directory, so that `import … from 'hostapi'` resolves to this package.
    const file = join(HERE, `.readme-example-${i + 1}.${ext}`)
    writeFileSync(file, code)
    try {
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60000 })
      assert.equal(r.error, undefined, String(r.error))
      assert.equal(r.status, 0, r.stderr)
      assert.ok(r.stdout.trim().length > 0)
    } finally {
      rmSync(file, { force: true })
    }
  })
}

test('docs/operations.md gives every operation in Node\'s names', async () => {
  const ops = readFileSync(join(HERE, '..', '..', 'docs', 'operations.md'), 'utf8')
  const { WedosClient, VelneoClient } = await import('hostapi')
  const pairs = [[new WedosClient({ user: 'u', password: 'p', stateDir: ':memory:' }), 'dns'], [new VelneoClient({ email: 'a@b.c', apiKey: 'k' }), 'appInstances']]
  for (const [client, handle] of pairs) {
    const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(client[handle])).filter((m) => m !== 'constructor')
    assert.ok(methods.length > 2, handle)
    for (const m of methods) assert.ok(ops.includes(`client.${handle}.${m}(`), `${handle}.${m} in docs/operations.md`)
  }
})

test('the README\'s contents lead to its sections and the guides', () => {
  const contents = README.slice(README.indexOf('## Contents'), README.indexOf('## Status'))
  const slug = (h) => h.toLowerCase().replace(/[`()]/g, '').replace(/[^a-z0-9 -]/g, '').trim().replace(/ /g, '-')
  const anchors = new Set([...README.matchAll(/^#{2,3} (.+)$/gm)].map((m) => slug(m[1])))
  for (const [, target] of contents.matchAll(/\]\(([^)]+)\)/g)) {
    if (target.startsWith('#')) assert.ok(anchors.has(target.slice(1)), `no heading for ${target}`)
    else assert.ok(readFileSync(join(HERE, '..', '..', target)), target)
  }
})
