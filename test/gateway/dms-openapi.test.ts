import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { renderDmsOpenApi } from '../../gateway/src/protocol/dms-openapi.js';

// firmware-config/dms-openapi.json is the DMS adapter's contract for the people who build the
// DMS side: generated from the zod schemas, it must be current and valid OpenAPI 3.1.

const FILE = new URL('../../firmware-config/dms-openapi.json', import.meta.url);

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref: string } }> }; responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  security: unknown[];
}

describe('the DMS adapter\'s OpenAPI document', () => {
  it('is in step with the schemas', () => {
    expect(readFileSync(FILE, 'utf8'), 'run "npm run docs:topics"').toBe(renderDmsOpenApi());
  });

  it('is valid OpenAPI 3.1 with the relay\'s two calls, bearer security and STAR names', async () => {
    const doc = JSON.parse(readFileSync(FILE, 'utf8')) as OpenApiDoc;
    // validate() dereferences in place: give it a copy.
    const api = await SwaggerParser.validate(structuredClone(doc) as never);
    expect(api).toMatchObject({ openapi: '3.1.0' });
    expect(Object.keys(doc.paths)).toEqual(['/events', '/changes']);
    const post = doc.paths['/events']!['post']!;
    expect(post.requestBody?.content['application/json']?.schema.$ref).toBe('#/components/schemas/EventBatch');
    expect(post.responses['202']?.content?.['application/json']?.schema.$ref).toBe('#/components/schemas/BatchAccepted');
    expect(post.responses['409']?.content?.['application/json']?.schema.$ref).toBe('#/components/schemas/BatchRejected');
    expect(doc.paths['/changes']!['get']!.responses['200']?.content?.['application/json']?.schema.$ref).toBe('#/components/schemas/ChangesPage');
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes['bearer']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['EventEnvelope', 'Ticket', 'RepairOrder', 'CheckIn', 'AuditEntry', 'PrintFailure', 'Customer', 'Vehicle', 'ServiceAppointment']),
    );
  });

  it('would be caught by the validator if a reference went astray', async () => {
    const broken = JSON.parse(renderDmsOpenApi().replace('"#/components/schemas/EventBatch"', '"#/components/schemas/NoSuchBatch"')) as object;
    await expect(SwaggerParser.validate(broken as never)).rejects.toThrow(/NoSuchBatch/);
  });
});
