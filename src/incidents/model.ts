/**
 * The incident record: who was hit, how (an ordered attack chain of ATT&CK tactics and techniques, linked to
 * vulnerability records), what was touched, which indicators were seen, who is believed responsible, and how
 * widely it may be shared (TLP 2.0).
 */
import type { IndicatorType } from './indicators.js';
import type {
  AssetKind,
  AttackPhase,
  AttributionConfidence,
  IncidentStatus,
  SectorCode,
  Tlp,
  VectorCode,
} from './tables.js';

export * from './tables.js';

export interface Victim {
  name: string;
  sector: SectorCode;
  /** The platform organisation account of this victim, when it has one (drives TLP visibility). */
  organisationId?: number;
}

export interface AttackStep {
  order: number;
  phase: AttackPhase;
  description: string;
  /** ATT&CK technique ids: T1190, T1078.001. */
  techniqueIds: string[];
  /** Links to vulnerability records: CVE-2021-26855, CNVD-2024-12345, VS-2026-00012. */
  vulnerabilityIds: string[];
  assets?: string;
}

export interface AssetCount {
  kind: AssetKind;
  count: number;
}

export interface Indicator {
  type: IndicatorType;
  /** Normalised (refanged, lower-cased host, compressed IPv6, plain lower-case hex). */
  value: string;
  description?: string;
}

export interface Attribution {
  actor: string;
  confidence: AttributionConfidence;
}

export interface Incident {
  /** INC-YYYY-NNNN, assigned by the store. */
  id?: string;
  title: string;
  summary: string;
  victims: Victim[];
  /** ISO date (2024-08-01) or date-time (2024-08-01T09:30:00Z). */
  discoveredAt: string;
  startedAt?: string;
  endedAt?: string;
  status: IncidentStatus;
  attackChain: AttackStep[];
  assets: AssetCount[];
  dataTaken?: string;
  indicators: Indicator[];
  attribution?: Attribution;
  vector: VectorCode;
  tlp: Tlp;
  /** Organisations (other than the victims) this incident was shared with under TLP:AMBER. */
  sharedWithOrganisationIds?: number[];
  /** ISO date-times with milliseconds (Date#toISOString). */
  createdAt: string;
  updatedAt: string;
}

export type IncidentInput = Omit<Incident, 'id'>;

/** Who may look at an incident, whatever its TLP. */
export interface IncidentAudience {
  victimOrganisationIds: number[];
  sharedWithOrganisationIds: number[];
}

export function audienceOf(
  incident: Pick<Incident, 'victims' | 'sharedWithOrganisationIds'>,
): IncidentAudience {
  return {
    victimOrganisationIds: incident.victims.flatMap((v) =>
      v.organisationId === undefined ? [] : [v.organisationId],
    ),
    sharedWithOrganisationIds: incident.sharedWithOrganisationIds ?? [],
  };
}

export { validateIncidentInput, type Problem } from './validate.js';
export { tlpAllows, TLP_VISIBILITY, type Viewer, type ViewerRole } from './tlp.js';
