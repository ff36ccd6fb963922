/** The admin client's public surface. */
export { Admin, type ClusterDescription } from './admin.js';
export { AdminOperationError, GroupNotEmptyError, type EntityFailure } from './errors.js';
export { ADMIN_DEFAULTS, type AdminOptions } from './options.js';
export type {
  ConfigResource,
  ConfigResourceType,
  CreatePartitionsOptions,
  CreateTopicsOptions,
  DeleteTopicsOptions,
  ListOffsetsOptions,
  NewPartitions,
  NewTopic,
  OffsetQuery,
  OffsetSpec,
} from './requests.js';
export type { CreatedTopic } from './topics.js';
export type { PartitionOffset } from './offsets.js';
export type { ConfigEntry, ConfigResourceResult, ConfigSource } from './configs.js';
export type { CommittedOffset, GroupLag, GroupListing, GroupOffsetsDescription, GroupPartitionLag } from './groups.js';
export type { ClassicGroupDescription, ConsumerGroupDescription, ConsumerGroupMember, GroupDescription, GroupMember } from './group-description.js';
export type { AlterConfigOp, AlterConfigOpType, AlterConfigsOptions, AlterConfigsResource } from './alter-configs.js';
export type { PartitionDescription, TopicDescription, TopicListing } from './describe-topics.js';
export type { GroupOffsetUpdate } from './group-offset-input.js';
