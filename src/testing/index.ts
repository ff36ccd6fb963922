/**
 * `kafka-stage/testing`: an in-process Kafka cluster that speaks the wire protocol on loopback
 * ports, so subscribers can be tested without Java or Docker.
 */
export { FakeKafkaCluster, type FakeApi, type FakeGroupView, type FakeKafkaClusterOptions } from './fake-cluster.js';
export type { FakeClusterSettings } from './cluster-state.js';
export type { FailOptions, FaultTarget, FaultRuleOptions, LoseAnswerOptions, LostAnswer } from './faults.js';
export type { FakeRequest, FakeProducedBatch, FakeAnswerFate, TouchedPartition } from './request-log.js';
export type { FakeBatch } from './log-view.js';
export type { TopicSpec } from './topics.js';
export type { RecordInput } from '../protocol/records/types.js';
export type { GroupState } from './classic-group.js';
export type { ConsumerGroupState, ConsumerMemberState } from './consumer-group.js';
export type { FakeConsumerGroupView, FakeConsumerMemberView, FakeTopicPartition } from './consumer-group-view.js';
export type { KafkaErrorName } from '../protocol/error-codes.js';
