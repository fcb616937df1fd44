/**
 * When the stack program builds a component from its config, a problem the component finds in
 * its arguments is reported under the config key the argument came from
 * (`ml-platform:endpoint.instanceType ...`), not only as the component's argument: the user edits
 * Pulumi.<stack>.yaml, not our call. Config validation already runs the components' rules; this
 * covers what only the component can judge (e.g. which image serves an instance family).
 */
import { ArgProblem, ComponentArgsError, renderMessage } from "../components/shared/arg-schema";
import { ConfigError, keyOf } from "./config";

/** Where a component's arguments come from in the stack config. */
export interface ConfigSource {
  /** The config section of the component's settings: argument `x.y` is `<section>.x.y`. */
  section: string[];
  /** Arguments that come from elsewhere in the config (argument path -> config path). */
  from?: Record<string, string[]>;
  /** Arguments the program fills in itself (names, wiring): not config keys. */
  program?: string[];
}

/** The config path of an argument, or undefined when the program set it. */
export function configPathOf(source: ConfigSource, argPath: string[]): string[] | undefined {
  for (let n = argPath.length; n > 0; n--) {
    const prefix = argPath.slice(0, n).join(".");
    const mapped = source.from?.[prefix];
    if (mapped) return [...mapped, ...argPath.slice(n)];
  }
  if (source.program?.includes(argPath[0])) return undefined;
  return [...source.section, ...argPath];
}

function lineOf(err: ComponentArgsError, source: ConfigSource, p: ArgProblem): string {
  const name = (path: string[]) => {
    const key = configPathOf(source, path);
    return key ? key.join(".") : `${err.component} argument ${path.join(".")}`;
  };
  const key = configPathOf(source, p.path);
  // An argument the program sets is our bug, not the user's: say which component and argument.
  return key
    ? `${keyOf(key)} ${renderMessage(p, name)}`
    : `${err.component} ${err.resourceName}: args.${p.path.join(".")} ${renderMessage(p, name)}`;
}

/** Builds a component from config; its argument errors become a ConfigError naming config keys. */
export function fromConfig<T>(source: ConfigSource, build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof ComponentArgsError)
      throw new ConfigError(err.problems.map((p) => lineOf(err, source, p)));
    throw err;
  }
}
