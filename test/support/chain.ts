/**
 * Test-only: signs certificates in hash-chain order (format v2) without a store, tracking each
 * topic's head as certificates are built (built is not accepted: `resync` goes back to a store).
 */
import {
  COMMON_TOPIC,
  certificateDigest,
  certificateTopic,
  nextLink,
  readCertificate,
  signCertificate,
  type CertificateContent,
  type CertificateStore,
  type ChainHead,
  type ChainLink,
  type Topic,
} from '../../src/certificates/index.js';
import type { SigningKey } from '../../src/keys/index.js';

export class ChainTracker {
  private readonly heads = new Map<Topic, ChainHead>();
  /** When set, realm certificates bind this common head instead of the newest built one. */
  pinnedCommonHead: ChainHead | null = null;

  /** The link the next certificate of `topic` gets. */
  link(topic: Topic): ChainLink {
    const common = this.pinnedCommonHead ?? this.heads.get(COMMON_TOPIC) ?? null;
    return nextLink(this.heads.get(topic) ?? null, topic === COMMON_TOPIC ? null : common);
  }

  /** Records `signed` (placed with `link(topic)` by someone else) as the new head of its topic. */
  note(signed: Uint8Array): Uint8Array {
    const { certificate } = readCertificate(signed);
    this.heads.set(certificateTopic(certificate), { position: certificate.chain.position, digest: certificateDigest(signed) });
    return signed;
  }

  /** Signs `cert` at `link` (default: next position of its topic; only then the head advances). */
  async sign(key: SigningKey, cert: CertificateContent, link?: ChainLink): Promise<Uint8Array> {
    const signed = await signCertificate(key, cert, link ?? this.link(certificateTopic(cert)));
    return link === undefined ? this.note(signed) : signed;
  }

  /** Re-signs the content of `signed` with `key` at `link` (chain tests). */
  resignAt(key: SigningKey, signed: Uint8Array, link: ChainLink): Promise<Uint8Array> {
    return signCertificate(key, readCertificate(signed).certificate, link);
  }

  /** Forgets certificates built but not accepted: the heads become `store`'s. */
  resync(store: CertificateStore): this {
    this.heads.clear();
    for (const topic of new Set<Topic>([COMMON_TOPIC, ...store.topics()])) {
      const head = store.topicHead(topic);
      if (head) this.heads.set(topic, head);
    }
    return this;
  }
}
