/**
 * The JSON form of a STANAG 4778 binding data object (`application/vnd.nato.bindingdataobject+json`),
 * signed with a detached JWS (EdDSA).
 *
 * ```
 * { "BindingInformation": {
 *     "MetadataBindingContainer": [ { "MetadataBinding": [ {
 *         "Id": "sealsync-binding",
 *         "Metadata": [ { "originatorConfidentialityLabel": {…} },
 *                       { "sealsync:sourceWorkspace": { "Realm": "<hex>", "originatorConfidentialityLabel": {…} } } ],
 *         "DataReference": [ { "URI": "…", "contentType": "…", "DigestMethod": "SHA-384", "DigestValue": "<b64url>" } ] } ] } ],
 *     "Signature": [ "<protected header>..<signature>" ] } }
 * ```
 * The JWS payload is the RFC 8785 canonical form of `{"MetadataBindingContainer": …}`, i.e. the
 * `BindingInformation` without its `Signature` member, so the signature covers the labels, the
 * reference and the data digest; whitespace and member order of the file do not matter.
 * @module
 */
import { BindingError } from '../errors.js';
import { fromBase64Url, fromHex, toBase64Url, toHex, utf8Encode } from '../bytes.js';
import { idFromBytes, idToBytes, type DeviceId, type RealmId } from '../codec/ids.js';
import { BDO_JSON_MEDIA_TYPE, checkDataDigest, checkReference, resolveSigner, sha384, type BindingContent, type BindingSigner, type FlowLabel, type SignerDirectory, type VerifiedBinding } from './binding-common.js';
import { BINDING_ID } from './binding-xml-write.js';
import { labelFromJson, labelToJson } from './json-label.js';
import { asArray, asObject, asString, canonicalJson, parseStrictJson, type JsonBudget, type JsonValue } from './json-strict.js';
import { readDetachedJws, signDetachedJws, verifyDetachedJws } from './jws.js';

const FLOW = 'sealsync:sourceWorkspace';
const ORIGINATOR = 'originatorConfidentialityLabel';

function containerJson(c: BindingContent, digest: Uint8Array): JsonValue {
  const metadata: JsonValue[] = [{ [ORIGINATOR]: labelToJson(c.label) }];
  if (c.flow) metadata.push({ [FLOW]: { Realm: toHex(idToBytes(c.flow.realmId)), [ORIGINATOR]: labelToJson(c.flow.label) } });
  return [
    {
      MetadataBinding: [
        {
          Id: BINDING_ID,
          Metadata: metadata,
          DataReference: [{ URI: c.dataUri, contentType: c.contentType, DigestMethod: 'SHA-384', DigestValue: toBase64Url(digest) }],
        },
      ],
    },
  ];
}

/**
 * Builds and signs the JSON binding data object of `data` (UTF-8 bytes, 2-space indented).
 * @throws BindingError `binding/invalid-reference`; LabelError from label times.
 */
export async function exportBindingJson(data: Uint8Array, content: BindingContent, signer: BindingSigner): Promise<Uint8Array> {
  checkReference(content.dataUri, content.contentType);
  const container = containerJson(content, await sha384(data));
  const payload = utf8Encode(canonicalJson({ MetadataBindingContainer: container }));
  const jws = await signDetachedJws(payload, { kid: signer.deviceId, typ: BDO_JSON_MEDIA_TYPE }, signer.signingKey);
  return utf8Encode(`${JSON.stringify({ BindingInformation: { MetadataBindingContainer: container, Signature: [jws] } }, null, 2)}\n`);
}

function readFlow(v: JsonValue): FlowLabel {
  const o = asObject(v, FLOW, ['Realm', ORIGINATOR]);
  const realm = asString(o.Realm, 'Realm');
  if (!/^[0-9a-f]{32}$/.test(realm)) throw new BindingError('binding/structure', 'Realm: 32 lowercase hex digits');
  return { realmId: idFromBytes<RealmId>(fromHex(realm)), label: labelFromJson(o[ORIGINATOR], ORIGINATOR) };
}

function parse(bytes: Uint8Array, budget?: Partial<JsonBudget>) {
  const root = asObject(parseStrictJson(bytes, budget), 'root', ['BindingInformation']);
  const info = asObject(root.BindingInformation, 'BindingInformation', ['MetadataBindingContainer', 'Signature']);
  const containers = asArray(info.MetadataBindingContainer, 'MetadataBindingContainer', 1, 1);
  const bindings = asArray(asObject(containers[0], 'MetadataBindingContainer[0]', ['MetadataBinding']).MetadataBinding, 'MetadataBinding', 1, 1);
  const binding = asObject(bindings[0], 'MetadataBinding[0]', ['Id', 'Metadata', 'DataReference']);
  if (binding.Id !== BINDING_ID) throw new BindingError('binding/structure', `MetadataBinding Id must be ${BINDING_ID}`);
  const metadata = asArray(binding.Metadata, 'Metadata', 1, 2);
  const label = labelFromJson(asObject(metadata[0], 'Metadata[0]', [ORIGINATOR])[ORIGINATOR], ORIGINATOR);
  const flow = metadata[1] === undefined ? undefined : readFlow(asObject(metadata[1], 'Metadata[1]', [FLOW])[FLOW]!);
  const ref = asObject(asArray(binding.DataReference, 'DataReference', 1, 1)[0], 'DataReference[0]', ['URI', 'contentType', 'DigestMethod', 'DigestValue']);
  if (ref.DigestMethod !== 'SHA-384') throw new BindingError('binding/unsupported-algorithm', 'DigestMethod: only SHA-384');
  const dataUri = asString(ref.URI, 'URI');
  const contentType = asString(ref.contentType, 'contentType');
  checkReference(dataUri, contentType);
  let digest: Uint8Array;
  try {
    digest = fromBase64Url(asString(ref.DigestValue, 'DigestValue'));
  } catch (cause) {
    throw new BindingError('binding/structure', 'DigestValue: canonical base64url', { cause });
  }
  if (digest.length !== 48) throw new BindingError('binding/structure', 'DigestValue: 48 bytes');
  const signatures = asArray(info.Signature, 'Signature', 1, 1);
  const jws = readDetachedJws(asString(signatures[0], 'Signature[0]'));
  if (jws.header.typ !== BDO_JSON_MEDIA_TYPE) throw new BindingError('binding/structure', `JWS typ must be ${BDO_JSON_MEDIA_TYPE}`);
  if (!/^[0-9a-f]{32}$/.test(jws.header.kid)) throw new BindingError('binding/structure', 'JWS kid: a sealsync device id');
  const payload = utf8Encode(canonicalJson({ MetadataBindingContainer: info.MetadataBindingContainer! }));
  return { label, flow, dataUri, contentType, digest, jws, payload };
}

/**
 * Verifies a JSON binding data object against `data` and the organisation's signers. Returns what
 * was bound; does NOT check the label against a policy (see `importBinding`).
 * @throws BindingError `binding/structure`, `binding/malformed-json`, `binding/too-large`,
 *   `binding/too-deep`, `binding/unsupported-algorithm`, `binding/unknown-signer`,
 *   `binding/bad-signature`, `binding/data-mismatch`, `binding/invalid-reference`; LabelError
 *   `label/invalid-label`, `label/invalid-time`.
 */
export async function verifyBindingJson(
  bytes: Uint8Array,
  data: Uint8Array,
  signers: SignerDirectory,
  budget?: Partial<JsonBudget>,
): Promise<VerifiedBinding> {
  const p = parse(bytes, budget);
  const signer = p.jws.header.kid as DeviceId;
  const key = resolveSigner(signers, signer, p.label.creationTime);
  if (!(await verifyDetachedJws(p.jws, p.payload, key))) throw new BindingError('binding/bad-signature', 'the JWS does not verify');
  const dataDigest = await checkDataDigest(data, p.digest);
  return { label: p.label, ...(p.flow ? { flow: p.flow } : {}), dataUri: p.dataUri, contentType: p.contentType, signer, dataDigest };
}
