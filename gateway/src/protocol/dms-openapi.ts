import { z } from 'zod';
import { AppointmentRecord, MemberRecord, VehicleRecord } from '../domain/members/index.js';
import { ChangesPageContract, MemberChange, RepairOrderChange } from '../relay/inbound-changes.js';
import {
  AuditData,
  BatchAccepted,
  BatchRejected,
  CheckInData,
  DmsEvent,
  EVENT_SCHEMAS,
  EventBatch,
  MAX_DMS_REPLY_BYTES,
  FollowUpData,
  PrintFailureData,
  QueueModeData,
  RepairOrderData,
  SurveyAnswerData,
  TicketData,
} from './dms.js';

// firmware-config/dms-openapi.json: the DMS adapter's HTTP contract as OpenAPI 3.1, generated from
// the zod schemas the gateway and the DMS simulator use (`npm run docs:topics` writes it, a test
// keeps it current). Components are named after the STAR standard where one fits (RepairOrder,
// ServiceAppointment, Customer, Vehicle) and after the store's own nouns otherwise.

type JsonObject = Record<string, unknown>;

const SCHEMA_REF = (id: string) => `#/components/schemas/${id}`;

/** Component name and description of every schema the document names. */
const COMPONENTS: [z.ZodType, string, string][] = [
  [DmsEvent, 'EventEnvelope', 'One relayed event. `seq` rises by one per store with no gaps; a receiver drops an `eventId` it has stored already. `schema` names the shape of `data`.'],
  [TicketData, 'Ticket', 'A queue ticket after the transition, named by business day and number, never by its page id.'],
  [QueueModeData, 'QueueMode', 'Peak or normal hours, switched by a desk.'],
  [RepairOrderData, 'RepairOrder', 'STAR RepairOrder: the order after the command, with its job lines and stage history.'],
  [CheckInData, 'CheckIn', 'STAR ServiceAppointment checked in at the kiosk, with the ticket it got.'],
  [AuditData, 'AuditEntry', 'One row of the store\'s audit log: who did what (staff numbers and device ids, no customer data).'],
  [PrintFailureData, 'PrintFailure', 'A print job that did not print (kind and printer; the content stays in the store).'],
  [SurveyAnswerData, 'SurveyAnswer', "A customer's survey answer after a release: rating, tags and the comment without names, phone numbers or e-mail addresses."],
  [FollowUpData, 'FollowUpCall', 'The follow-up call (回訪) of a release: the preferred time, each call\'s outcome (note scrubbed like a comment), a complaint closed.'],
  [EventBatch, 'EventBatch', 'The body of `POST /events`: events of one store in seq order.'],
  [BatchAccepted, 'BatchAccepted', 'Every event up to `acceptedThrough` is stored (the highest seq stored without a gap).'],
  [BatchRejected, 'BatchRejected', 'The events before `rejected.seq` are stored; that one is refused for good. The store keeps it for a manager to inspect and retry, and sends on the rest.'],
  [ChangesPageContract, 'ChangesPage', 'A page of the DMS\'s changes since the cursor the store sent.'],
  [MemberChange, 'CustomerChange', 'A customer as the DMS holds them now, whole: it replaces the store\'s copy (vehicles and appointments not listed are dropped; a check-in made in the store stays).'],
  [RepairOrderChange, 'RepairOrderBooking', 'STAR RepairOrder booked in the DMS for an appointment: the store books it once (by `dmsId`), through the same checks as the desk\'s booking, and owns it from then on (stages, job clocks); it reports back as RepairOrder events.'],
  [MemberRecord, 'Customer', 'STAR Customer (Party): a member with their vehicles and appointments.'],
  [VehicleRecord, 'Vehicle', 'STAR Vehicle, with the reminders the kiosk and the desk show.'],
  [AppointmentRecord, 'ServiceAppointment', 'STAR ServiceAppointment of one of the customer\'s vehicles.'],
];

function componentSchemas(): Record<string, JsonObject> {
  const registry = z.registry<{ id: string; description: string }>();
  for (const [schema, id, description] of COMPONENTS) registry.add(schema, { id, description });
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', metadata: registry, uri: SCHEMA_REF, unrepresentable: 'any' }) as { schemas: Record<string, JsonObject> };
  // Components live inside the document: no dialect or id of their own.
  const components = Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _schema, $id: _id, ...rest }]) => [id, rest]));
  // The envelope's `data` follows its `schema`: one branch per data schema.
  const idOf = new Map(COMPONENTS.map(([schema, id]) => [schema, id]));
  components['EventEnvelope'] = {
    ...components['EventEnvelope'],
    oneOf: Object.entries(EVENT_SCHEMAS).map(([name, schema]) => ({ properties: { schema: { const: name }, data: { $ref: SCHEMA_REF(idOf.get(schema)!) } } })),
  };
  return components;
}

const json = (id: string) => ({ 'application/json': { schema: { $ref: SCHEMA_REF(id) } } });
const UNAUTHORIZED = { description: 'The bearer token is missing or wrong.' };

/** The whole of firmware-config/dms-openapi.json. */
export function renderDmsOpenApi(): string {
  const document = {
    openapi: '3.1.0',
    info: {
      title: 'Forecourt store ↔ DMS adapter',
      version: '1',
      description:
        'What a Forecourt store gateway sends to the dealer group\'s DMS adapter, and what it reads back. ' +
        'Generated from gateway/src/protocol/dms.ts by `npm run docs:topics`; do not edit by hand. ' +
        'The prose, with the outbox and the MQTT side, is firmware-config/RELAY.md.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: 'https://dms.example/forecourt/v1', description: 'The adapter\'s base URL, as the store\'s relay.http.url names it.' }],
    security: [{ bearer: [] }],
    paths: {
      '/events': {
        post: {
          operationId: 'postEvents',
          summary: 'Store the store\'s events, in seq order',
          description:
            'The store sends one batch at a time and the next only after the answer. The first batch a store ever sends is accepted whatever seq it starts at ' +
            '(the store may have purged older events); after that the DMS stores events in seq order up to the first gap and answers the highest seq stored ' +
            'without a gap. Duplicates (an eventId or seq stored already) are acknowledged and stored once. A refused event counts as handled: the stream goes on ' +
            'past it, and when the store sends it again on its own (a manager\'s retry) the DMS stores it if it can and answers 202 with acceptedThrough at or ' +
            `beyond its seq. Any other answer, a reply over ${MAX_DMS_REPLY_BYTES} bytes, or an acceptedThrough beyond the batch or below an earlier one, counts ` +
            'as not delivered: the store sends the batch again later.',
          requestBody: { required: true, content: json('EventBatch') },
          responses: {
            '202': { description: 'Stored through acceptedThrough.', content: json('BatchAccepted') },
            '401': UNAUTHORIZED,
            '409': { description: 'One event conflicts with what the DMS holds; the events before it are stored.', content: json('BatchRejected') },
            '422': { description: 'One event is not acceptable to the DMS; the events before it are stored.', content: json('BatchRejected') },
            default: { description: 'Not delivered (e.g. 5xx): the store sends the batch again with backoff.' },
          },
        },
      },
      '/changes': {
        get: {
          operationId: 'getChanges',
          summary: 'Customers, vehicles and appointments changed since a cursor',
          description: 'The store reads pages until `more` is false, applies each page with its cursor in one transaction, and asks again later. Applying a page twice changes nothing.',
          parameters: [
            { name: 'since', in: 'query', required: false, description: 'The cursor of the last page applied; absent the first time.', schema: { type: 'string', minLength: 1, maxLength: 200 } },
            { name: 'limit', in: 'query', required: false, description: 'Most changes to return.', schema: { type: 'integer', minimum: 1, maximum: 5000 } },
          ],
          responses: {
            '200': { description: 'The changes after `since`, and the cursor to send next.', content: json('ChangesPage') },
            '401': UNAUTHORIZED,
            default: { description: 'Not read: the store works on from its copy and asks again later.' },
          },
        },
      },
    },
    components: {
      schemas: componentSchemas(),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The store\'s token for the adapter (relay.http.token).' } },
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
