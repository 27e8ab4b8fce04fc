// What tests, benchmarks and tools use of the gateway.
export { Gateway, demoEnabled, type GatewayDeps } from './gateway.js';
export { loadConfig, ConfigError } from './config/load.js';
export { ConfigSchema, type Config } from './config/schema.js';
export { openDatabase, DatabaseTooNewError, DATABASE_FILE } from './store/database.js';
export { MIGRATIONS } from './store/migrations.js';
export { DeviceRegistry } from './store/device-registry.js';
export { createLogger } from './observability/log.js';
export { DEMO_STAFF } from './demo/demo-staff.js';
export type { StaffRole } from './protocol/index.js';
