import type { VersionedApp } from "../versions/images";
import type { AppModule } from "./app";
import { agenta } from "./agenta/module";
import { langfuse } from "./langfuse/module";
import { mlflow } from "./mlflow/module";

/**
 * The apps a tenant can have, in the order they are declared and listed. Adding an app is adding
 * its module here (plus its images in `versions/` and its sizes in `sizing/`); the tenant schema,
 * the loader, the workspace, the connection budget and the alerts all follow this list.
 */
export const APP_MODULES = [langfuse, mlflow, agenta] as const satisfies readonly AppModule<VersionedApp>[];

export type AppName = (typeof APP_MODULES)[number]["name"];

/** The apps' names, in order. */
export const APP_NAMES: readonly AppName[] = APP_MODULES.map((m) => m.name);

/** The module of one app. */
export function appModule(name: AppName): AppModule<AppName> {
    const found = APP_MODULES.find((m) => m.name === name);
    if (!found) throw new Error(`no app \`${name}\`; the apps are ${APP_NAMES.join(", ")}`);
    return found;
}
