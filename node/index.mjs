// hostapi for Node, as an ES module: the same objects as the CommonJS entry (index.cjs).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const hostapi = require('./index.cjs')

export const {
  VelneoClient,
  WedosClient,
  HostapiError,
  ConfigError,
  TransportError,
  TimeoutError,
  ProtocolError,
  AuthenticationError,
  RateLimitedError,
  VServerCredentialsError,
  ApiError,
  protocol,
  parseNotification,
  startEmulator,
  version
} = hostapi
export default hostapi
