# ConvertTo-Json as Windows PowerShell 5.1 would have it understood: a stand-in of the same name and parameters,
# defined in front of an agent script when tests run it under pwsh 7. It refuses every input whose JSON differs
# between 5.1 and 7, then calls the real cmdlet. A script that passes here prints the same JSON on both.
# What differs: Windows PowerShell 5.1's ConvertTo-Json is built on .NET Framework's JavaScriptSerializer, PowerShell 6
# and later's on Json.NET (the cmdlet pages' NOTES, MicrosoftDocs/PowerShell-Docs reference/5.1 and 7.6
# Microsoft.PowerShell.Utility/ConvertTo-Json.md; the date handling is documented beside ConvertFrom-Json's "Beginning
# in PowerShell 6" note, PowerShell-Docs commit dd5e896):
#   - [datetime] / [DateTimeOffset]: 5.1 writes "\/Date(1700000000000)\/", 7 an ISO 8601 string;
#   - more nesting than -Depth (default 2): 5.1 silently writes the value's ToString() ("System.Collections.Hashtable"),
#     7 does the same but warns; either way the data is lost, so it is refused;
#   - a live .NET, CIM or COM object (not a hashtable, [ordered], [pscustomobject], array or scalar): its serialised
#     properties are whatever each version's adapter shows (5.1's CIM adapter adds CimClass, CimInstanceProperties, ...),
#     so scripts build plain objects with the fields they mean;
#   - -AsArray, -EnumsAsStrings and -EscapeHandling exist only in 6.2+ / 7: not accepted.
# Scalars (strings, booleans, numbers, enums as their numbers, $null) and containers of them are written alike.
function ConvertTo-Json {
  [CmdletBinding()]
  param(
    [Parameter(Position = 0, ValueFromPipeline = $true)][AllowNull()][object]$InputObject,
    [ValidateRange(1, 100)][int]$Depth = 2,
    [switch]$Compress
  )
  begin { $wpItems = New-Object System.Collections.Generic.List[object] }
  process { $wpItems.Add($InputObject) }
  end {
    if ($MyInvocation.ExpectingInput) {
      if ($wpItems.Count -eq 0) { return } # an empty pipeline: the real cmdlet prints nothing, in 5.1 and 7
      if ($wpItems.Count -eq 1) { $value = $wpItems[0] } else { $value = $wpItems.ToArray() }
    } else { $value = $InputObject }
    Assert-WatchpostJson51 -Value $value -Level 0 -Depth $Depth -Path '$'
    Microsoft.PowerShell.Utility\ConvertTo-Json -InputObject $value -Depth $Depth -Compress:$Compress -WarningAction Stop
  }
}

function Assert-WatchpostJson51([object]$Value, [int]$Level, [int]$Depth, [string]$Path) {
  if ($null -eq $Value) { return }
  $base = $Value
  if ($Value -is [System.Management.Automation.PSObject]) { $base = $Value.PSObject.BaseObject }
  if ($base -is [datetime] -or $base -is [DateTimeOffset]) {
    throw "ps51-json: $Path is a date: Windows PowerShell 5.1 writes it as \/Date(ms)\/, PowerShell 7 as ISO 8601; convert it to a string or a number first"
  }
  if ($base -is [string] -or $base -is [bool] -or $base -is [char] -or $base -is [enum] -or $base.GetType().IsPrimitive -or $base -is [decimal]) { return }
  if ($base -is [guid]) { throw "ps51-json: $Path is a [guid]: 5.1 writes its properties, 7 its string; cast it with [string]" }
  if ($Level -gt $Depth) {
    throw "ps51-json: $Path nests deeper than -Depth ${Depth}: Windows PowerShell 5.1 silently writes '$base' instead of its content"
  }
  if ($base -is [System.Collections.IDictionary]) {
    foreach ($key in @($base.Keys)) { Assert-WatchpostJson51 -Value $base[$key] -Level ($Level + 1) -Depth $Depth -Path "$Path.$key" }
    return
  }
  if ($base -is [System.Collections.IEnumerable]) {
    $i = 0
    foreach ($item in $base) { Assert-WatchpostJson51 -Value $item -Level ($Level + 1) -Depth $Depth -Path "$Path[$i]"; $i++ }
    return
  }
  if ($base -is [System.Management.Automation.PSCustomObject]) {
    foreach ($p in $Value.PSObject.Properties) { Assert-WatchpostJson51 -Value $p.Value -Level ($Level + 1) -Depth $Depth -Path "$Path.$($p.Name)" }
    return
  }
  throw "ps51-json: $Path is a live $($base.GetType().FullName): its JSON depends on the PowerShell version's adapter; select the fields into a hashtable or [pscustomobject]"
}
