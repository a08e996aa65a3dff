/**
 * errspec as a library: `import { checkResponse, verify } from 'errspec'`.
 * Everything here returns data (findings, runs) and never prints; misuse throws an ErrspecError with a stable `code`.
 */
export { checkResponse, checkResponseSync } from './api/check-response';
export type { CheckOptions, CheckResponseInput, CheckResult, RequestLike } from './api/check-response';
export type { FetchResponseLike, PlainResponse, ResponseLike, UndiciResponseLike } from './api/response';
export { listVendors, vendorInfo } from './api/vendors';
export type { VendorInfo } from './api/vendors';
export { verify } from './api/verify';
export type { VerifyRequest, VerifyResult } from './api/verify';
export { loadProfile } from './profile/load';
export type { Profile } from './profile/profile';
export { runVendor } from './verify/run-vendor';
export type { VerifySettings } from './verify/settings';
export { runSummary } from './engine/summary';
export { checks } from './checks';
export { writeReports } from '../reporters/write';
export type { ReportTargets } from '../reporters/write';
export * from './errors';
export type { EvaluatedExchange, Exchange, Finding, Outcome, RecordedRequest, RecordedResponse, RuleRef, Summary, VendorRun } from './types';
