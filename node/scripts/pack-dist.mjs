// `make dist`: the npm packages of every prebuilt platform, in napi-rs's layout, from the native modules that
// `napi build --platform --target …` wrote (hostapi.linux-x64-gnu.node, …):
//   hostapi-<version>.tgz                  the package itself, without a native module; each platform package is
//                                          an optional dependency, of which npm installs the one that fits
//   hostapi-linux-x64-gnu-<version>.tgz …  one per platform (os, cpu and libc set, so npm skips the others)
// Usage: node scripts/pack-dist.mjs BUILD_DIR OUT_DIR   (run by mk/dist.mk; not shipped in the package)

import { execFileSync } from 'node:child_process'
import { copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const [buildDir, outDir] = process.argv.slice(2).map((p) => resolve(p))
if (!buildDir || !outDir) throw new Error('usage: node scripts/pack-dist.mjs BUILD_DIR OUT_DIR')
const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const repo = resolve(pkgDir, '..')
const napi = join(pkgDir, 'node_modules', '.bin', 'napi')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))
const LICENSES = ['LICENSE-MIT', 'LICENSE-APACHE']

const stage = join(outDir, '.stage')
rmSync(stage, { recursive: true, force: true })
mkdirSync(stage, { recursive: true })

// The platform packages: napi-rs's own commands make their directories and put each module in its own.
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' })
const stagedPkg = { ...pkg }
delete stagedPkg.scripts
delete stagedPkg.devDependencies
stagedPkg.files = pkg.files.filter((f) => !f.startsWith('native/'))
writeFileSync(join(stage, 'package.json'), JSON.stringify(stagedPkg, null, 2) + '\n')
run(napi, ['create-npm-dirs', '--cwd', stage, '--npm-dir', 'npm'], stage)
run(napi, ['artifacts', '--cwd', stage, '--output-dir', buildDir, '--npm-dir', 'npm'], stage)

const platforms = readdirSync(join(stage, 'npm')).sort()
const optional = {}
for (const platform of platforms) {
  const dir = join(stage, 'npm', platform)
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const modules = readdirSync(dir).filter((f) => f.endsWith('.node'))
  if (modules.length !== 1 || meta.main !== modules[0]) {
    throw new Error(`${platform}: expected its native module ${meta.main}, found ${modules.join(', ') || 'none'} in ${buildDir}`)
  }
  for (const f of LICENSES) copyFileSync(join(repo, f), join(dir, f))
  meta.files = [meta.main, ...LICENSES]
  meta.description = `The native module of hostapi for ${platform} (installed by the package hostapi; not used alone)`
  meta.engines = pkg.engines
  writeFileSync(join(dir, 'package.json'), JSON.stringify(meta, null, 2) + '\n')
  writeFileSync(join(dir, 'README.md'), `# ${meta.name}\n\n${meta.description}.\n`)
  optional[meta.name] = meta.version
}

// The package itself: its files but the native module, the platform packages as optional dependencies.
for (const f of stagedPkg.files.filter((f) => !LICENSES.includes(f))) cpSync(join(pkgDir, f), join(stage, f), { recursive: true })
// (napi artifacts leaves a copy of each module here too; the package's `files` leaves them out)
for (const f of LICENSES) copyFileSync(join(repo, f), join(stage, f))
stagedPkg.optionalDependencies = optional
writeFileSync(join(stage, 'package.json'), JSON.stringify(stagedPkg, null, 2) + '\n')

for (const dir of [...platforms.map((p) => join(stage, 'npm', p)), stage]) {
  const file = run(npm, ['pack', '--pack-destination', outDir, '--silent'], dir).trim().split('\n').pop()
  console.log(join(outDir, file))
}
rmSync(stage, { recursive: true, force: true })
