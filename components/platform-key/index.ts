/** The platform key component: import from here. */
export { PlatformKey } from "./platform-key";
export {
  PLATFORM_KEY_DEFAULTS,
  platformKeyArgsSchema,
  platformKeyFields,
  resolvePlatformKeyArgs,
} from "./args";
export type { PlatformKeyArgs, ResolvedPlatformKeyArgs } from "./args";
