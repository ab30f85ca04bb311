import { definePolicy, visibleTo } from '../policy/define-policy.ts';

/** Mail is the CSIRT's own correspondence: staff read it; those who handle cases write and sort it. */
export const mailPolicy = definePolicy('mail', {
  'messages.read': visibleTo({ all: ['admin', 'coordinator', 'analyst', 'publisher'] }),
  'messages.send': ['admin', 'coordinator', 'analyst'],
  'messages.assign': ['admin', 'coordinator', 'analyst'],
  'templates.preview': ['admin', 'coordinator', 'analyst', 'publisher'],
});
