// The blob store's manifest: content-addressed files; the domain owning a file authorises and audits.
export { type BlobStore, createBlobStore } from './blob-store.ts';
