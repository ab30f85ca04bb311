import { finished } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequestError } from '../kernel/errors.ts';

/** How much a public form with files takes: beyond it the form is shown again, saying what was too much. */
export interface MultipartFormLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxFields: number;
  /** Bytes of one text field (UTF-8: a Japanese character is three). */
  maxFieldBytes: number;
}

/** A file of a posted form, stored. Its name and type are the sender's: untrusted, never used to serve it. */
export interface FormFile {
  sha256: string;
  size: number;
  filename: string;
  contentType: string;
}

export type MultipartProblem = 'tooManyFiles' | 'fileTooLarge' | 'tooManyFields' | 'fieldTooLong';

export interface MultipartForm {
  /** Text fields as `formField` reads them: a string, or the strings of a repeated field. */
  fields: Record<string, string | string[]>;
  files: FormFile[];
  problems: MultipartProblem[];
  /** Files were sent but not stored, because `admitFiles` said no. */
  filesRefused: boolean;
}

/**
 * Lets the routes of the calling plugin (and only those: the registration is encapsulated) read
 * `multipart/form-data`; everywhere else on the site it stays an unsupported content type.
 * @example await registerMultipartForms(app, { maxFiles: 5, maxFileBytes: 10 << 20, maxFields: 40, maxFieldBytes: 300_000 });
 */
export async function registerMultipartForms(app: FastifyInstance, limits: MultipartFormLimits): Promise<void> {
  await app.register(multipart, {
    // One byte over the file limit reaches the store, which refuses it and keeps nothing (see readMultipartForm).
    limits: {
      fields: limits.maxFields,
      fieldSize: limits.maxFieldBytes,
      fieldNameSize: 100,
      files: limits.maxFiles,
      fileSize: limits.maxFileBytes + 1,
      parts: limits.maxFields + limits.maxFiles + 1,
      headerPairs: 50,
    },
    throwFileSizeLimit: false,
  });
}

const LIMIT_PROBLEMS: Record<string, MultipartProblem> = {
  FST_FILES_LIMIT: 'tooManyFiles',
  FST_FIELDS_LIMIT: 'tooManyFields',
  FST_PARTS_LIMIT: 'tooManyFields',
  FST_REQ_FILE_TOO_LARGE: 'fileTooLarge',
  blob_too_large: 'fileTooLarge',
};

/**
 * Reads a posted `multipart/form-data` form part by part (untrusted input throughout). Text fields are
 * collected; at the first file `admitFiles` is asked, with the fields before it (a page puts its file
 * input last), whether to store files at all, so a form whose token is not fresh stores nothing. Each
 * admitted file is streamed into `store`, which must refuse more than `maxBytes`. A limit passed ends the
 * reading with a problem named (what was read so far is kept); a form that cannot be parsed is a 400.
 * @example const form = await readMultipartForm(request, limits, { admitFiles: async (f) => (await guard.verify(f)).fresh, store: (c, max) => blobs.put(c, { maxBytes: max }) });
 */
export async function readMultipartForm(
  request: FastifyRequest,
  limits: MultipartFormLimits,
  options: {
    admitFiles: (fieldsSoFar: Record<string, string | string[]>) => boolean | Promise<boolean>;
    store: (content: AsyncIterable<Uint8Array>, maxBytes: number) => Promise<{ sha256: string; size: number }>;
  },
): Promise<MultipartForm> {
  // No prototype: a field name can never reach one (the parser refuses such names as well).
  const form: MultipartForm = { fields: Object.create(null) as Record<string, string | string[]>, files: [], problems: [], filesRefused: false };
  let admitted: boolean | null = null;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.valueTruncated && !form.problems.includes('fieldTooLong')) form.problems.push('fieldTooLong');
        const value = typeof part.value === 'string' ? part.value : '';
        const earlier = form.fields[part.fieldname];
        form.fields[part.fieldname] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
        continue;
      }
      // A file input left empty still sends a part, with no name and no bytes.
      if (!part.filename) {
        await finished(part.file.resume());
        continue;
      }
      admitted ??= await options.admitFiles(form.fields);
      if (!admitted) {
        form.filesRefused = true;
        await finished(part.file.resume());
        continue;
      }
      const stored = await options.store(part.file, limits.maxFileBytes);
      form.files.push({ ...stored, filename: part.filename, contentType: part.mimetype || 'application/octet-stream' });
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const problem = typeof code === 'string' ? LIMIT_PROBLEMS[code] : undefined;
    if (!problem) throw new BadRequestError('malformed_form', 'The form data could not be read');
    if (!form.problems.includes(problem)) form.problems.push(problem);
  }
  return form;
}
