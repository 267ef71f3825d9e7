/** Types of binding-app.js, the stack shared by the TypeScript, Python and cdktn binding tests. */
export declare const STACK_NAME: string;
export declare function synthBindingApp(modules: object, outdir: string, options?: { defaultNullProvider?: boolean }): void;
