/**
 * A self-contained API reference page: fetches /openapi.json and renders every
 * operation with its parameters and schemas. No CDN, no external script.
 */
export const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Anyreach organization API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1a1a2e;background:#fafafa}
header{background:#1a1a2e;color:#fff;padding:16px 32px}main{max-width:1000px;margin:0 auto;padding:16px 32px}
h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px;text-transform:capitalize}
details{background:#fff;border:1px solid #e2e2e2;border-radius:6px;margin:8px 0}
summary{cursor:pointer;padding:8px 12px;font-family:ui-monospace,monospace}
.m{display:inline-block;min-width:64px;font-weight:700}.get{color:#0a7}.post{color:#06c}.put,.patch{color:#c80}.delete{color:#c22}
pre{background:#f3f3f6;padding:8px;overflow:auto;font-size:12px;margin:4px 12px 12px}
.d{padding:0 12px;color:#555}
</style></head><body><header><h1>Anyreach organization API</h1><div>Errors are application/problem+json with a stable <code>code</code>.</div></header>
<main id="root">Loading /openapi.json…</main>
<script>
fetch('/openapi.json').then(r=>r.json()).then(spec=>{
  const root=document.getElementById('root');root.textContent='';
  const byTag={};
  for(const [path,ops] of Object.entries(spec.paths||{}))for(const [method,op] of Object.entries(ops)){
    const tag=(op.tags&&op.tags[0])||'other';(byTag[tag]=byTag[tag]||[]).push({path,method,op});}
  const esc=s=>String(s).replace(/[&<>]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
  for(const [tag,list] of Object.entries(byTag)){
    const h=document.createElement('h2');h.textContent=tag;root.appendChild(h);
    for(const {path,method,op} of list){
      const d=document.createElement('details');
      const body=op.requestBody?JSON.stringify(op.requestBody.content['application/json'].schema,null,2):'';
      const params=(op.parameters||[]).map(p=>p.in+' '+p.name+(p.required?' (required)':'')).join('\\n');
      const res=Object.entries(op.responses||{}).map(([k,v])=>k+' '+v.description).join('\\n');
      d.innerHTML='<summary><span class="m '+method+'">'+method.toUpperCase()+'</span>'+esc(path)+'</summary>'+
        '<div class="d">'+esc(op.summary||'')+'</div>'+(params?'<pre>'+esc(params)+'</pre>':'')+
        (body?'<pre>'+esc(body)+'</pre>':'')+'<pre>'+esc(res)+'</pre>';
      root.appendChild(d);}}
  const s=document.createElement('p');s.innerHTML='Components: '+Object.keys((spec.components||{}).schemas||{}).map(esc).join(', ');root.appendChild(s);
}).catch(e=>{document.getElementById('root').textContent='Could not load /openapi.json: '+e});
</script></body></html>`;
