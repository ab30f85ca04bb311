// The blob store's manifest: content-addressed files; the domain owning a file authorises and audits.
export { BLOB_TEMPORARY_FILE_MAX_AGE_MS, type BlobStore, createBlobStore } from './blob-store.ts';
export { blobsJobDefinitions } from './blobs.jobs.ts';
