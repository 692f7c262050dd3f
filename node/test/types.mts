// Type-checked by `tsc --strict` (see process.test.mjs), never run: the shipped .d.ts as a TypeScript user sees it.
import {
  VelneoClient, WedosClient, startEmulator, HostapiError, RateLimitedError, ApiError, protocol, parseNotification,
  type Group, type User, type VServerStatus, type Notification, type Pending, type DnsRow, type InstanceCreated
} from 'hostapi'

export async function typed (): Promise<void> {
  const emu = await startEmulator()
  const v: VelneoClient = emu.velneoClient({ timeoutMs: 5000 })
  const status: VServerStatus = await v.vserver.status({ signal: AbortSignal.timeout(1000) })
  const running: string = status.status
  const groups: Group[] = await v.groups.list()
  const user: User = await v.users.get('velneo')
  const fullName: string | null = user.fullName
  const created: InstanceCreated = await v.appInstances.put('a', { project: 'p', solution: 's', folderShared: 'f/x' })
  await v.groups.put('G', { manageSolutions: true, addSolution: 's' })
  await v.vserver.waitForState('running', { intervalMs: 100 })
  const bytes: number = await v.vserver.downloadBackup(await v.vserver.backup(), '/tmp/b.zip')

  const w = new WedosClient({ user: 'u', password: 'p', onLimit: 'wait', hourlyLimits: [10, 5] })
  const pending: Pending = await w.pingAsync()
  const note: Notification = await w.pingAsync({ waitMs: 10000 })
  const rows: DnsRow[] = await w.dns.rows('example.cz')
  const kept: number = w.notifications.kept
  for await (const n of w.notifications.watch()) {
    const code: number = n.code
    void code
  }
  const parsed: Notification = parseNotification('request=%7B%7D')
  const hour: number = protocol.wedos.pragueHour(0)
  try {
    await w.ping()
  } catch (e) {
    if (e instanceof RateLimitedError) {
      const after: number | null = e.retryAfterMs
      void after
    } else if (e instanceof ApiError || e instanceof HostapiError) {
      const code: string = e.code
      void code
    }
  }

  // @ts-expect-error: a misspelt option is rejected
  await v.groups.put('G', { manageSolution: true })
  // @ts-expect-error: a misspelt client setting is rejected
  new VelneoClient({ email: 'a', apiKey: 'k', timeout: 5 })
  // @ts-expect-error: a state the vServer cannot be in
  await v.vserver.waitForState('runing')
  // @ts-expect-error: required options of an instance are missing
  await v.appInstances.put('a', { project: 'p' })

  void [running, groups, fullName, created, bytes, pending, note, rows, kept, parsed, hour]
  await emu.stop()
}
