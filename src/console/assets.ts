/**
 * The console's one stylesheet and one script, inlined into every page (no build step, no
 * extra request). Text colours meet 4.5:1 on their backgrounds, focus rings 3:1
 * (test/console/contrast.test.ts); the layout is a single column
 * below 640 px. The script only enhances: every page works without it, except the tree's
 * lazy expansion and the switcher's filter.
 */
export const CSS = `*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#111;background:#f6f7f9}
a{color:var(--accent)}header.top{background:var(--primary);color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;
gap:.5rem;align-items:center;justify-content:space-between}header.top a{color:#fff}.brand{font-weight:700;display:flex;gap:.5rem;align-items:center}.logo{max-height:28px;width:auto}
main{max-width:60rem;margin:0 auto;padding:1rem}section,.card{background:#fff;border:1px solid #d0d4da;border-radius:.4rem;
padding:1rem;margin:0 0 1rem}h1{font-size:1.5rem;margin:.25rem 0 1rem}h2{font-size:1.15rem;margin:0 0 .75rem}
label{display:block;font-weight:600;margin:.5rem 0 .2rem}input,select{font:inherit;padding:.45rem;border:1px solid #6b7280;
border-radius:.3rem;width:100%;max-width:28rem}button,.button{font:inherit;background:var(--accent);color:#fff;border:0;
border-radius:.3rem;padding:.45rem .9rem;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#fff;color:#111;border:1px solid #6b7280}button.danger{background:#b91c1c}
:focus-visible{outline:3px solid #b45309;outline-offset:2px}header.top :focus-visible{outline-color:#f59e0b}.error{color:#b91c1c;margin:.2rem 0}.note{color:#4b5563}
.badge{display:inline-block;font-size:.8rem;border-radius:1rem;padding:0 .5rem;background:#e5e7eb;color:#111;margin-left:.3rem}
nav.tabs{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0 0 1rem}nav.tabs a[aria-current=page]{font-weight:700}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.35rem;border-bottom:1px solid #e5e7eb;vertical-align:top}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}.row form{margin:0}.switcher{position:relative}
.switcher>button{background:rgba(0,0,0,.25);border:1px solid #fff}#ctx-panel{position:absolute;z-index:5;left:0;top:2.6rem;
background:#fff;color:#111;border:1px solid #6b7280;border-radius:.4rem;padding:.5rem;width:min(22rem,92vw);
max-height:70vh;overflow:auto}#ctx-panel a{color:#111;display:block;padding:.3rem}#ctx-panel ul{list-style:none;margin:0;
padding:0}[hidden]{display:none!important}.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}ul[role=tree],ul[role=group]{list-style:none;padding-left:1.1rem;margin:0}
[role=treeitem]>.node{display:flex;gap:.4rem;align-items:center;padding:.15rem}[role=treeitem]:focus{outline:none}[role=treeitem]:focus>.node{outline:3px solid
#b45309}.toggle{width:1.2rem;display:inline-block}.crumb{color:#4b5563}@media(max-width:640px){main{padding:.5rem}}`;

export const SCRIPT = `(()=>{const $=(s,r=document)=>r.querySelector(s),$$=(s,r=document)=>[...r.querySelectorAll(s)];
const b=$("#ctx-button"),p=$("#ctx-panel");if(b&&p){b.addEventListener("click",()=>{const o=p.hidden;p.hidden=!o;
b.setAttribute("aria-expanded",String(o));if(o)$("#ctx-filter").focus()});document.addEventListener("keydown",e=>{
if(e.key==="Escape"&&!p.hidden){p.hidden=true;b.setAttribute("aria-expanded","false");b.focus()}});
$("#ctx-filter").addEventListener("input",e=>{const q=e.target.value.toLowerCase();for(const li of $$("#ctx-orgs li"))
li.hidden=!li.textContent.toLowerCase().includes(q)})}
const tree=$("[role=tree]");if(!tree)return;const visible=()=>$$("[role=treeitem]",tree).filter(i=>i.offsetParent!==null);
const focus=i=>{for(const t of $$("[role=treeitem]",tree))t.tabIndex=-1;i.tabIndex=0;i.focus()};
async function expand(i){if(i.getAttribute("aria-expanded")!=="false")return;const g=$(":scope>[role=group]",i);
if(!g.dataset.loaded){const r=await fetch(i.dataset.children,{headers:{accept:"text/html"}});g.innerHTML=await r.text();
g.dataset.loaded="1"}g.hidden=false;i.setAttribute("aria-expanded","true");$(":scope>.node .toggle",i).textContent="▾"}
function collapse(i){if(i.getAttribute("aria-expanded")!=="true")return;$(":scope>[role=group]",i).hidden=true;
i.setAttribute("aria-expanded","false");$(":scope>.node .toggle",i).textContent="▸"}
tree.addEventListener("click",e=>{const t=e.target.closest(".toggle");if(!t)return;const i=t.closest("[role=treeitem]");
i.getAttribute("aria-expanded")==="true"?collapse(i):expand(i);focus(i)});
tree.addEventListener("keydown",async e=>{const i=e.target.closest("[role=treeitem]");if(!i||e.target!==i)return;
const v=visible(),n=v.indexOf(i);let k=true;switch(e.key){case"ArrowDown":v[n+1]&&focus(v[n+1]);break;
case"ArrowUp":v[n-1]&&focus(v[n-1]);break;case"Home":focus(v[0]);break;case"End":focus(v[v.length-1]);break;
case"ArrowRight":if(i.getAttribute("aria-expanded")==="false")await expand(i);else{const c=$(":scope>[role=group]>[role=treeitem]",i);
c&&focus(c)}break;case"ArrowLeft":if(i.getAttribute("aria-expanded")==="true")collapse(i);else{const u=i.parentElement.closest("[role=treeitem]");
u&&focus(u)}break;case"Enter":$(":scope>.node a",i).click();break;default:k=false}if(k)e.preventDefault()})})();`;

/** The create form: slug availability as you type (a console fragment route, the same service as the API). */
export const SLUG_SCRIPT = `(()=>{const i=document.getElementById("create-slug"),o=document.getElementById("create-slug-status");
if(!i||!o)return;let t;i.addEventListener("input",()=>{clearTimeout(t);const v=i.value.trim().toLowerCase();
if(!v){o.textContent="Generated from the name.";return}t=setTimeout(async()=>{const r=await fetch("/new/slug-check?slug="+
encodeURIComponent(v),{headers:{accept:"text/html"}});o.textContent=await r.text()},250)})})();`;
