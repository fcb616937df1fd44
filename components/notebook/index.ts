/** The notebook instance component: import from here. */
export { NotebookInstance, notebookStatements } from "./notebook";
export { BACKUP_MINUTE_STEPS, notebookOnStartScript } from "./lifecycle-script";
export type { NotebookLifecycleSettings } from "./lifecycle-script";
export {
  homeBackupPrefix,
  NOTEBOOK_DEFAULTS,
  notebookArgsSchema,
  notebookFields,
  resolveNotebookArgs,
} from "./args";
export type { NotebookInstanceArgs, NotebookStorage, ResolvedNotebookArgs } from "./args";
export { notebookInterfaceEndpointNeeds } from "./interface-endpoints";
