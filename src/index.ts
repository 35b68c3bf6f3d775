/**
 * numinfo as a library: parse, look up and clean phone numbers in-process. Data is an argument
 * (`lookup(registry, input)`); `NumberService` binds the current registry and swaps it on update.
 */
export { parsePhoneInput, MAX_INPUT_LENGTH, type ParsedInput } from './core/phoneInput.js';
export { recognize, MAX_CLEAN_INPUT, type FoundNumber, type Recognition } from './core/recognize.js';
export { transliterate } from './core/translit.js';
export { timeZoneInfo, type TimeZoneInfo } from './core/timezones.js';
export { SUBJECTS, findSubjects, type Subject } from './core/regions.js';
export type * from './core/types.js';
export { ERRORS, NuminfoError, isNuminfoError, type ErrorCode } from './errors.js';
export { RegistryIndex } from './data/registryIndex.js';
export { importRegistry, type SourceFile } from './data/registryImport.js';
export { readSnapshotFile, writeSnapshotFile } from './data/snapshot.js';
export {
  updateRegistry,
  snapshotPath,
  type UpdateOptions,
  type UpdateResult,
} from './data/registryUpdate.js';
export { fetchRegistryFiles, OFFICIAL_BASE_URL } from './data/registrySource.js';
export { lookup } from './services/lookup.js';
export {
  clean,
  phoneKind,
  type CleanResult,
  type CleanedNumber,
  type CleanOptions,
} from './services/clean.js';
export { NumberService } from './services/numberService.js';
export { loadConfig, type Config } from './config.js';
export { MnpIndex } from './data/mnp/mnpIndex.js';
export { importMnp, type MnpImportOptions, type MnpImportResult } from './data/mnp/mnpImport.js';
export { readMnpData, readMnpFile, readMnpHeader } from './data/mnp/mnpSnapshot.js';
export { generateMnp, type GenerateMnpOptions } from './data/mnp/generate.js';
export { MnpData, type MnpOverride, type PortInfo } from './services/mnpData.js';
export { MnpManager } from './services/mnpManager.js';
export { cleanView, type CleanView } from './services/cleanView.js';
export { Router } from './services/routing/router.js';
export { RoutingManager } from './services/routing/routingManager.js';
export type {
  RouteDecision,
  RouteSource,
  CallChecker,
  CallCheck,
  Direction,
} from './services/routing/types.js';
export { startAgiServer, type AgiServer } from './agi/server.js';
export { AmiClient } from './ami/client.js';
export { openStore } from './store/openStore.js';
export type * from './store/types.js';
export { GLOBAL_OWNER, TAG_TYPES } from './store/types.js';
export {
  ReputationService,
  type Reputation,
  type ReputationTags,
  type ReportRequest,
  type TagCount,
  type TrustExplanation,
  type TrustSignal,
} from './services/reputation/reputationService.js';
export { trustIndex, explainTrust, TRUST_FORMULA } from './services/reputation/trustIndex.js';
export { DEFAULT_TAGS } from './services/reputation/defaultTags.js';
export { BlacklistService } from './services/reputation/blacklistService.js';
export { CheckService, type CheckOptions, type CheckResult } from './services/reputation/checkService.js';
export { normalizeNumber } from './services/reputation/normalizeNumber.js';
export { KeyService, type Principal } from './services/keys/keyService.js';
export {
  SignatureVerifier,
  signRequest,
  canonicalString,
  type SignatureVerdict,
} from './services/keys/signature.js';
