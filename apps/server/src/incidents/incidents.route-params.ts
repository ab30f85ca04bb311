// What the incidents API's route files share.
import { Type } from '@sinclair/typebox';

/** The `:id` of every incidents route. */
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const tags = ['incidents'];
