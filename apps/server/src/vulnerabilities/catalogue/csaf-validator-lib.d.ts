// csaf-validator-lib ships JavaScript without declarations; these are the shapes this folder imports.
declare module '@secvisogram/csaf-validator-lib/cwe.js' {
  /** The CWE list (CWE 4.17 in 2.0.10): `{ id: 'CWE-79', name: '…' }`, names in English only. */
  export const weaknesses: readonly { readonly id: string; readonly name: string }[];
}
