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
  return [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1])
}

test('the README has Node examples', () => {
  assert.ok(nodeBlocks().length >= 2)
})

for (const [i, code] of nodeBlocks().entries()) {
  test(`README Node example ${i + 1} runs`, () => {
    // Inside the package directory, so that `import … from 'hostapi'` resolves to this package.
    const file = join(HERE, `.readme-example-${i + 1}.mjs`)
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
