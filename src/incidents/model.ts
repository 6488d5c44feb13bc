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
  LawCode,
  MeasureKind,
  ResponsibleRole,
  RevocationStatus,
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

/** Who a case names as responsible for what happened (the contractor of the camera case). */
export interface ResponsibleParty {
  name: string;
  role: ResponsibleRole;
  description?: string;
}

/** A provision a measure is based on: a law or system of LAWS and, optionally, its article (第二十七条). */
export interface LegalBasis {
  law: LawCode;
  article?: string;
  /** The law's name when `law` is other. */
  text?: string;
}

/** A measure or penalty taken (责令整改, 罚款 …), against whom, on what legal basis. */
export interface Measure {
  kind: MeasureKind;
  description: string;
  legalBasis: LegalBasis[];
  /** The responsible party it is taken against (its name, as in responsibleParties). */
  against?: string;
  /** Who decided it (宁波网信, the national security organs). */
  authority?: string;
  /** Fines: the amount in yuan (CNY). */
  amountCny?: number;
  /** ISO date. */
  decidedAt?: string;
}

/** A certificate misused in the incident (the signing-certificate case), and where its revocation stands. */
export interface MisusedCertificate {
  issuer: string;
  serialNumber: string;
  subject?: string;
  /** SHA-256 of the DER certificate, lower-case hex. */
  thumbprintSha256?: string;
  /** SHA-1 thumbprint (what Windows shows), lower-case hex. */
  thumbprintSha1?: string;
  revocation: RevocationStatus;
  /** ISO date or date-time of the revocation. */
  revokedAt?: string;
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
  responsibleParties?: ResponsibleParty[];
  measures?: Measure[];
  certificates?: MisusedCertificate[];
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
