#include "ui/assets.hpp"

namespace shipml::ui {

std::string_view stylesheet() {
  return R"(body{font:14px/1.45 "DejaVu Sans",system-ui,sans-serif;color:#222;margin:0;background:#fafafa}
header{display:flex;align-items:center;gap:18px;padding:8px 28px;background:#1f2d3d;color:#fff}
header a{color:#dfe7ef;text-decoration:none} header a.active,header a:hover{color:#fff;text-decoration:underline}
header .brand{font-weight:700;font-size:16px;color:#fff} header nav{display:flex;gap:14px;flex:1}
header .store{color:#9fb0c2;font-size:12px} header button.link{color:#dfe7ef}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#E69F00;color:#111}
main{max-width:1280px;margin:0 auto;padding:20px 28px 48px;background:#fff;min-height:80vh}
h1{font-size:22px;margin:0 0 6px} h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;margin:0 0 6px} .hint{color:#777;font-size:12px}
code{background:#f2f2f2;padding:1px 4px;border-radius:3px;font-size:12.5px;word-break:break-all}
.status,.stage{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;color:#fff;background:#0072B2}
.status.failed{background:#D55E00}.status.interrupted,.status.running{background:#E69F00;color:#111}
.stage.production{background:#009E73}.stage.staging{background:#56B4E9;color:#111}.stage.none{background:#999}
.stage.archived{background:#ccc;color:#333}
.alias{display:inline-block;background:#f0e6f6;border-radius:10px;padding:0 6px;margin:1px 2px;font-size:12px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px} th,td{padding:4px 10px;text-align:left;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f4f4f4;font-weight:600} th a{color:#222;text-decoration:none} th a.sorted{color:#0072B2}
td.num{font-variant-numeric:tabular-nums;text-align:right}
table.runs tbody tr:hover{background:#f6f9fc} table.runs td{white-space:nowrap}
table.runs td code,table.compare th code{word-break:normal;white-space:nowrap}
tr.differs td,tr.differs th{background:#fff4d6}
form.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:end;margin:10px 0;padding:10px;background:#f6f6f6;border-radius:4px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#555}
form.filters .grow{flex:1;min-width:260px} form.filters .grow input{width:100%}
input,select,button{font:inherit;font-size:13px;padding:3px 6px}
button{cursor:pointer;border:1px solid #0072B2;background:#0072B2;color:#fff;border-radius:3px}
button:disabled{opacity:.45;cursor:default} button.danger{background:#D55E00;border-color:#D55E00}
button.link{background:none;border:none;color:#0072B2;padding:0 2px;text-decoration:underline}
form.inline{display:inline} form.actions{margin:8px 0}
.error{color:#a33;background:#fdecea;padding:6px 10px;border-radius:4px}
.question{font-size:16px} nav.pages{margin:10px 0;display:flex;gap:14px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:18px}
figure{margin:0;border:1px solid #e4e4e4;border-radius:4px;padding:6px} figure svg{width:100%;height:auto;display:block}
figcaption{color:#666;font-size:12px;padding:2px 4px} ul.artifacts{padding-left:18px}
)";
}

std::string_view icon() {
  return R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f2d3d"/><path d="M3 11l3-4 3 2 4-5" stroke="#56B4E9" stroke-width="2" fill="none"/></svg>)";
}

std::string_view script() {
  return R"(// shipml ui: "Compare selected" is enabled while 2 to 10 runs are ticked.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("compare-form");
  if (!form) return;
  const button = document.getElementById("compare");
  const update = () => {
    const n = form.querySelectorAll("input[name=run]:checked").length;
    button.disabled = n < 2 || n > 10;
    button.textContent = n ? `Compare ${n} selected` : "Compare selected";
  };
  form.addEventListener("change", update);
  update();
});
)";
}

}  // namespace shipml::ui
