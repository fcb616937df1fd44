/** The notebook instance component: import from here. */
export { NotebookInstance, notebookStatements } from "./notebook";
export { idleStopScript } from "./idle-stop-script";
export { NOTEBOOK_DEFAULTS, notebookArgsSchema, notebookFields, resolveNotebookArgs } from "./args";
export type { NotebookInstanceArgs, NotebookStorage, ResolvedNotebookArgs } from "./args";
