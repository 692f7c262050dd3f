// hostapi from Node: every Velneo and WEDOS operation against the embedded emulator.
//
// Run with `make demo` (or `node examples/node/demo.mjs` once `npm run build` has built the package in node/).
// Against the real services, build the clients from your own credentials instead of the emulator's demo accounts:
// `VelneoClient.fromEnv()` (VELNEO_EMAIL, VELNEO_API_KEY) and `WedosClient.fromEnv()` (WEDOS_USER, WEDOS_PASSWORD).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { ApiError, VelneoClient, WedosClient, startEmulator, version } from '../../node/index.mjs'

async function velneo (emu) {
  console.log('== Velneo Cloud API ==')
  const client = new VelneoClient({ email: emu.demo.velneoEmail, apiKey: emu.demo.velneoApiKey, baseUrl: emu.velneoUrl, timeoutMs: 10000 })
  try {
    const status = await client.vserver.status() // logs in lazily, once
    console.log(`vServer ${status.status}, version ${status.version}, ${status.vrl}`)
    await client.vserver.setCredentials('velneo', 'velneo')

    await client.groups.put('Clientes', { manageSolutions: false })
    await client.users.put('acme', { password: 'Acme-2026!', fullName: 'ACME S.L.', group: 'Clientes', isSupervisor: false })
    await client.folders.put('clientes', 'Clientes', { path: 'clientes/acme' })
    const app = await client.appInstances.put('crm', { project: 'crm_app', solution: 'crm', folderShared: 'clientes' })
    const data = await client.dataInstances.put('crm-datos', { project: 'crm_dat', solution: 'crm', folderShared: 'clientes/acme' })
    console.log(`app instance id ${app.id}, data instance id ${data.id}`)

    for (const group of await client.groups.list()) console.log(`group ${group.name}: can create sites=${group.canCreateSites}`)
    for (const user of await client.users.list()) console.log(`user ${user.name} (${user.fullName ?? '-'}) supervisor=${user.isSupervisor}`)
    console.log("acme's groups:", (await client.users.get('acme')).groups)
    console.log('folders:', (await client.folders.list()).map((f) => f.name))
    console.log('app instance by id:', (await client.appInstances.get({ id: app.id })).name)
    console.log('data instances:', (await client.dataInstances.list()).map((d) => [d.name, d.path]))

    const backup = await client.vserver.backup()
    const dir = mkdtempSync(join(tmpdir(), 'hostapi-demo-'))
    try {
      console.log(`backup downloaded: ${await client.vserver.downloadBackup(backup, join(dir, 'backup.zip'))} bytes`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }

    await client.vserver.stop()
    console.log('after stop:', (await client.vserver.waitForState('stopped', { intervalMs: 100, timeoutMs: 10000 })).status)
    await client.vserver.start()

    try {
      await client.groups.get('No such group')
    } catch (e) {
      if (!(e instanceof ApiError)) throw e
      console.log(`as expected, ${e.name} (${e.code}): ${e.message}`)
    }

    const statuses = await Promise.all(Array.from({ length: 50 }, () => client.vserver.status()))
    console.log(`${statuses.length} concurrent status calls, ${client.loginCount} login`)

    await client.dataInstances.delete({ id: data.id })
    await client.appInstances.delete('crm')
    await client.folders.delete('clientes')
    await client.users.delete('acme')
    await client.groups.delete('Clientes')
  } finally {
    await client.close() // logs out
  }
}

async function wedos (emu) {
  console.log('== WEDOS WAPI ==')
  const client = new WedosClient({ user: emu.demo.wedosUser, password: emu.demo.wedosPassword, baseUrl: emu.wedosUrl, pollIntervalMs: 200 })
  console.log('ping:', (await client.ping()).result)
  const credit = await client.creditInfo()
  console.log(`credit: ${credit.amount} ${credit.currency}`)
  for (const domain of await client.domains.list()) console.log(`domain ${domain.name}: ${domain.status}, expires ${domain.expiration}`)
  console.log('hostapi-free-name.cz available:', (await client.domains.check('hostapi-free-name.cz')).available)

  console.log('DNS zones:', (await client.dns.domains()).map((z) => z.name))
  await client.dns.addRow('example.cz', 'api', 'A', '192.0.2.10', { ttl: 600, comment: 'demo' })
  const row = (await client.dns.rows('example.cz')).find((r) => r.name === 'api')
  await client.dns.updateRow('example.cz', row.id, { ttl: 900, rdata: '192.0.2.11' })
  await client.dns.commit('example.cz')
  for (const r of await client.dns.rows('example.cz')) console.log(`  ${String(r.id).padStart(3)} ${(r.name || '@').padEnd(5)} ${String(r.ttl).padStart(5)} ${r.rdtype.padEnd(5)} ${r.rdata}`)
  await client.dns.deleteRow('example.cz', row.id)
  await client.dns.commit('example.cz')

  console.log('generic call:', (await client.call('ping')).command)
  console.log('ping-async pending:', (await client.pingAsync()).svtrid)
  console.log('ping-async notification:', (await client.pingAsync({ waitMs: 10000 })).result)
  for await (const note of client.notifications) console.log('queued notification:', note.command, note.result)
  await client.close()
}

const emu = await startEmulator()
console.log(`hostapi ${version} for Node; emulator at ${emu.url}`)
await velneo(emu)
await wedos(emu)
console.log('emulator logins:', (await emu.state()).velneo[emu.demo.velneoEmail].logins)
await emu.stop()
