/** Every API the fake cluster answers, with its handler; ApiVersions advertises exactly these. */
import type { Route } from '../dispatcher.js';
import { apiVersionsRoute } from './api-versions.js';
import { consumerGroupDescribeRoute } from './consumer-group-describe.js';
import { consumerGroupHeartbeatRoute } from './consumer-group-heartbeat.js';
import { fetchRoute } from './fetch.js';
import {
  deleteGroupsRoute,
  describeGroupsRoute,
  findCoordinatorRoute,
  heartbeatRoute,
  joinGroupRoute,
  leaveGroupRoute,
  listGroupsRoute,
  syncGroupRoute,
} from './groups.js';
import { listOffsetsRoute } from './list-offsets.js';
import { metadataRoute } from './metadata.js';
import { offsetCommitRoute, offsetFetchRoute } from './offsets.js';
import { initProducerIdRoute, produceRoute } from './produce.js';
import { createPartitionsRoute, createTopicsRoute, deleteTopicsRoute } from './topic-admin.js';

/** The routes of every API the fake speaks, in API-key order. */
export const ROUTES: readonly Route[] = [
  produceRoute,
  fetchRoute,
  listOffsetsRoute,
  metadataRoute,
  offsetCommitRoute,
  offsetFetchRoute,
  findCoordinatorRoute,
  joinGroupRoute,
  heartbeatRoute,
  leaveGroupRoute,
  syncGroupRoute,
  describeGroupsRoute,
  listGroupsRoute,
  apiVersionsRoute(() => ROUTES),
  createTopicsRoute,
  deleteTopicsRoute,
  initProducerIdRoute,
  createPartitionsRoute,
  deleteGroupsRoute,
  consumerGroupHeartbeatRoute,
  consumerGroupDescribeRoute,
].sort((a, b) => a.api.apiKey - b.api.apiKey);
