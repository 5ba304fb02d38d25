// The report's page: an Eta template (escaping on by default; the only raw output is each section's own rendered
// template). Kept as a string in a module rather than a file beside it, so the compiled collector needs no asset
// copied next to its JavaScript.
export const LAYOUT = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Monthly report: <%= it.tenantName %>, <%= it.monthTitle %></title>
<style>
  @page { size: A4; margin: 16mm 14mm; }
  body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10.5pt; color: #222; margin: 0; }
  header { border-bottom: 2px solid #2b5797; margin-bottom: 10px; }
  h1 { font-size: 18pt; margin: 0 0 4px; color: #2b5797; }
  h2 { font-size: 13pt; margin: 18px 0 4px; color: #2b5797; page-break-after: avoid; }
  .meta, .source, .legend { color: #555; font-size: 9pt; }
  .method { background: #f3f5f9; border-left: 3px solid #2b5797; padding: 6px 10px; font-size: 9pt; }
  table { border-collapse: collapse; margin: 6px 0; font-size: 9.5pt; }
  th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
  th { background: #eef1f6; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr { page-break-inside: avoid; }
  .columns { display: flex; gap: 24px; flex-wrap: wrap; }
  .notice { font-weight: bold; color: #8a5a00; }
</style>
</head>
<body>
<header>
  <h1>Monthly report: <%= it.tenantName %></h1>
  <p class="meta"><span class="month"><%= it.monthTitle %></span>: <%= it.fromText %> to <%= it.toText %> (<%= it.zone %>). Tenant <%= it.tenantId %>. Made <%= it.madeText %>.</p>
</header>
<div class="method">
  <p>Which tickets count: a ticket counts in the month its SLA clocks started, that is the month it was opened or, for a reopened ticket, last reopened (a reopen starts every clock again; the earlier cycle is not kept). A target is met when it was stopped (acknowledged, planned, resolved) by its due time, and breached when it stopped later or still runs past its due time at the time of this report. A target nobody stopped on a ticket that was resolved ends at the resolution. Clocks still running and not yet due are shown apart and never counted as met.</p>
</div>
<% it.sections.forEach(function (s) { %>
<section id="<%= s.id %>" data-state="<%= s.state %>">
  <h2><%= s.title %></h2>
  <p class="source">Source: <%= s.source %>.</p>
  <% if (s.state === 'ok') { %><%~ s.body %><% } else { %><p class="notice"><%= s.note %></p><% } %>
</section>
<% }) %>
</body>
</html>
`;
