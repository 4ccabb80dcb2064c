import type { OpenApiDocument } from './document.js';
import type { JsonSchema } from './json-schema.js';

/**
 * The OpenAPI document as one self-contained HTML page: no script, no external resource, one
 * inline `<style>`. It works under `default-src 'none'; style-src 'unsafe-inline'`. Every text
 * from the document is escaped.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe in text and in quoted attribute values. */
const escape = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);

/** Escaped text with `code` spans and **bold**. */
const inline = (text: string): string =>
  escape(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');

/** One paragraph per blank-line block. */
function prose(text: unknown): string {
  if (typeof text !== 'string' || text === '') return '';
  return text
    .split(/\n\s*\n/)
    .map((block) => `<p>${inline(block.trim())}</p>`)
    .join('\n');
}

/** Pretty JSON in a `<pre>`: element content, where `&`, `<` and `>` are all that matter. */
const json = (value: unknown): string =>
  `<pre>${(typeof value === 'string' ? value : JSON.stringify(value, null, 2)).replace(
    /[&<>]/g,
    (char) => ENTITIES[char] ?? char,
  )}</pre>`;

const anchor = (kind: string, name: string): string =>
  `${kind}-${name.replace(/[^A-Za-z0-9._-]/g, '_')}`;

const REF = '#/components/schemas/';

/** Links to the components a schema names; anything else as collapsible JSON. */
function schemaLink(schema: unknown): string {
  const object = (schema ?? {}) as JsonSchema;
  if (typeof object.$ref === 'string' && object.$ref.startsWith(REF)) {
    const name = object.$ref.slice(REF.length);
    return `<a href="#${anchor('schema', name)}">${escape(name)}</a>`;
  }
  for (const combinator of ['anyOf', 'oneOf']) {
    const branches = object[combinator];
    if (
      Array.isArray(branches) &&
      branches.every((b) => typeof (b as JsonSchema)?.$ref === 'string')
    ) {
      return `${combinator === 'anyOf' ? 'any of' : 'one of'} ${branches.map(schemaLink).join(', ')}`;
    }
  }
  if (object.type !== 'object' && object.type !== 'array' && !object.anyOf && !object.oneOf) {
    return `<code>${escape(scalarSummary(object))}</code>`;
  }
  return `<details><summary>schema</summary>${json(schema)}</details>`;
}

/** `string, 1..64 chars`, `integer, 1..500, default 50`, `string (date-time)`. */
function scalarSummary(schema: JsonSchema): string {
  const parts = [
    `${String(schema.type ?? 'any')}${typeof schema.format === 'string' ? ` (${schema.format})` : ''}`,
  ];
  if (Array.isArray(schema.enum)) parts.push(`one of ${schema.enum.map(String).join(', ')}`);
  if ('const' in schema) parts.push(`= ${JSON.stringify(schema.const)}`);
  const range = (min: unknown, max: unknown, unit: string) => {
    if (min === undefined && max === undefined) return;
    parts.push(`${String(min ?? '')}..${String(max ?? '')}${unit}`);
  };
  range(schema.minLength, schema.maxLength, ' chars');
  range(schema.minimum, schema.maximum, '');
  if (typeof schema.pattern === 'string' && schema.format === undefined) {
    parts.push(`pattern ${schema.pattern}`);
  }
  if ('default' in schema) parts.push(`default ${JSON.stringify(schema.default)}`);
  return parts.join(', ');
}

type Media = Record<
  string,
  {
    schema?: unknown;
    example?: unknown;
    examples?: Record<string, { summary?: string; value: unknown }>;
  }
>;

function media(content: unknown): string {
  return Object.entries((content ?? {}) as Media)
    .map(([type, entry]) => {
      const examples = entry.examples
        ? Object.entries(entry.examples)
            .map(
              ([name, example]) =>
                `<p class="example">Example ${escape(example.summary ?? name)}</p>${json(example.value)}`,
            )
            .join('\n')
        : entry.example === undefined
          ? ''
          : json(entry.example);
      return `<p><code>${escape(type)}</code> ${entry.schema === undefined ? '' : schemaLink(entry.schema)}</p>\n${examples}`;
    })
    .join('\n');
}

function parametersTable(parameters: unknown): string {
  if (!Array.isArray(parameters) || parameters.length === 0) return '';
  const rows = (parameters as JsonSchema[]).map(
    (p) =>
      `<tr><td><code>${escape(p.name)}</code></td><td>${escape(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td>${schemaLink(p.schema)}</td><td>${prose(p.description)}</td><td>${p.example === undefined ? '' : `<code>${escape(typeof p.example === 'string' ? p.example : JSON.stringify(p.example))}</code>`}</td></tr>`,
  );
  return `<h4>Parameters</h4>
<table><thead><tr><th>Name</th><th>In</th><th>Required</th><th>Schema</th><th>Description</th><th>Example</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function responses(answers: unknown): string {
  return Object.entries((answers ?? {}) as Record<string, JsonSchema>)
    .map(([status, answer]) => {
      const headers = Object.entries((answer.headers ?? {}) as Record<string, JsonSchema>)
        .map(
          ([name, header]) =>
            `<li><code>${escape(name)}</code>: ${escape(header.description)}</li>`,
        )
        .join('');
      return `<div class="response"><h5><span class="status s${escape(status.charAt(0))}">${escape(status)}</span> ${inline(String(answer.description ?? ''))}</h5>
${headers ? `<ul class="headers">${headers}</ul>` : ''}
${media(answer.content)}</div>`;
    })
    .join('\n');
}

function operation(method: string, path: string, op: JsonSchema): string {
  const secured = Array.isArray(op.security) && op.security.length > 0;
  const body = op.requestBody as JsonSchema | undefined;
  return `<article id="${anchor('op', String(op.operationId))}">
<h3><span class="method ${escape(method)}">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code></h3>
<p class="summary">${escape(op.summary)}${secured ? ' <span class="auth">API key</span>' : ' <span class="auth public">public</span>'}</p>
${prose(op.description)}
${parametersTable(op.parameters)}
${body ? `<h4>Request body</h4>\n${prose(body.description)}\n${media(body.content)}` : ''}
<h4>Responses</h4>
${responses(op.responses)}
</article>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d232a;background:#fff}
header,main,nav{max-width:64rem;margin:0 auto;padding:0 1.25rem}
header{padding-top:2rem}h1 small{font-weight:normal;color:#5c6670;font-size:1rem}
nav ul{padding-left:1.2rem}nav li{margin:.1rem 0}
article{border-top:1px solid #d8dee4;padding:1rem 0}
h2{margin-top:2.5rem;border-bottom:2px solid #1d232a}h3{margin:.2rem 0}h5{font-size:1rem;margin:.8rem 0 .2rem}
.summary{font-weight:600;margin:.2rem 0}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#f3f5f7;padding:.75rem;overflow-x:auto;border-radius:4px;max-height:28rem}
table{border-collapse:collapse;width:100%;font-size:14px}td,th{border:1px solid #d8dee4;padding:.3rem .5rem;text-align:left;vertical-align:top}
td p{margin:0}.method,.status,.auth{display:inline-block;border-radius:3px;padding:0 .4rem;font-size:12px;font-weight:700;color:#fff;vertical-align:middle}
.get{background:#1f6feb}.post{background:#1a7f37}.delete{background:#cf222e}
.s2{background:#1a7f37}.s4{background:#9a6700}.s5{background:#cf222e}.auth{background:#57606a}.auth.public{background:#8c959f}
.example{margin:.4rem 0 0;color:#5c6670}.response{margin-left:.5rem}details summary{cursor:pointer;color:#0969da}`;

/** The whole page. */
export function renderReferencePage(document: OpenApiDocument): string {
  const byTag = new Map<string, string[]>(document.tags.map((tag) => [tag.name, []]));
  const contents = new Map<string, string[]>(document.tags.map((tag) => [tag.name, []]));
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags as string[] | undefined)?.[0] ?? 'Other';
      if (!byTag.has(tag)) {
        byTag.set(tag, []);
        contents.set(tag, []);
      }
      byTag.get(tag)?.push(operation(method, path, op));
      contents
        .get(tag)
        ?.push(
          `<li><a href="#${anchor('op', String(op.operationId))}"><span class="method ${escape(method)}">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code></a></li>`,
        );
    }
  }
  const description = (name: string) => document.tags.find((tag) => tag.name === name)?.description;
  const sections = [...byTag].map(
    ([tag, ops]) =>
      `<section id="${anchor('tag', tag)}"><h2>${escape(tag)}</h2>\n${prose(description(tag))}\n${ops.join('\n')}</section>`,
  );
  const schemas = Object.entries(document.components.schemas).map(
    ([name, schema]) =>
      `<article id="${anchor('schema', name)}"><h3>${escape(name)}</h3>\n${prose(schema.description)}\n${json(schema)}</article>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(document.info.title)} API ${escape(document.info.version)}</title>
<style>${STYLE}</style></head>
<body>
<header><h1>${escape(document.info.title)} API <small>${escape(document.info.version)} · OpenAPI ${escape(document.openapi)}</small></h1>
${prose(document.info.description)}
<p>Machine-readable: <a href="openapi.json"><code>openapi.json</code></a>. Server: <code>${escape(document.servers[0]?.url ?? '/')}</code></p></header>
<nav><h2>Contents</h2><ul>
${[...contents].map(([tag, items]) => `<li><a href="#${anchor('tag', tag)}">${escape(tag)}</a><ul>${items.join('')}</ul></li>`).join('\n')}
<li><a href="#schemas">Schemas</a></li></ul></nav>
<main>
${sections.join('\n')}
<section id="schemas"><h2>Schemas</h2>
${schemas.join('\n')}</section>
</main></body></html>`;
}
