# Windows PowerShell 5.1 compatibility of PowerShell source, checked with the real parser of the pwsh the tests run
# (7.x). Each script is parsed with [Parser]::ParseInput; a script 5.1 cannot run shows up as either
#   - a parse error (reported with message, line and column), or
#   - a construct the 7.x parser accepts but 5.1 does not have, found by walking the AST and tokens: a rule below.
# 7.x parses a superset of 5.1's language, so a script with neither parses on 5.1 and uses no syntax, cmdlet,
# parameter, automatic variable, escape or literal added after it.
#
# Usage: pwsh -NoProfile -File ps51-rules.ps1 [-Path list.json | -Json '<list>']   (no argument: the list on stdin)
#   input   JSON array of { "name": string, "text": string }
#   output  ONE JSON document on stdout, ASCII (non-ASCII escaped):
#           { "engine": "7.6.10", "scripts": [ { "name", "parseErrors": [ { errorId, message, line, column } ],
#                                               "violations": [ { rule, since, detail, message, line, column, text } ] } ] }
# The checker itself needs pwsh 7 (it is a test tool, never shipped).
#
# The rules: what 5.1 lacks, since which version, and where Microsoft documents it. Paths starting with a module or
# scripting/ are under https://learn.microsoft.com/powershell/ (about_X is module/microsoft.powershell.core/about/about_X;
# "the 5.1 page" is that page with ?view=powershell-5.1); CHANGELOG/x.y.md is
# https://github.com/PowerShell/PowerShell/blob/master/CHANGELOG/x.y.md. DIFF is
# scripting/whats-new/differences-from-windows-powershell ("Differences between Windows PowerShell 5.1 and PowerShell 7.x");
# WN70 is https://learn.microsoft.com/previous-versions/powershell/scripting/whats-new/what-s-new-in-powershell-70.
#
#   null-coalescing             $a ?? $b                            7.0   DIFF "Null-coalescing operator ??"; WN70
#   null-coalescing-assignment  $a ??= $b                           7.0   DIFF "Null-coalescing assignment operator ??="; WN70
#   null-conditional            ${a}?.b  ${a}?.M()  ${a}?[0]        7.1   DIFF "Null-conditional operators": "moved from experimental to
#                                                                         mainstream in PowerShell 7.1" (experimental in 7.0, WN70)
#   ternary                     $c ? $a : $b                        7.0   WN70 "Ternary operator"; about_Operators
#   pipeline-chain              a && b   a || b                     7.0   about_Pipeline_Chain_Operators "Beginning in PowerShell 7"; WN70
#   background-operator         <pipeline> &                        6.0   DIFF "Added & operator for job control"; CHANGELOG/6.0.md
#                                                                         "Support backgrounding of pipelines with ampersand"
#   clean-block                 function f { clean { } }            7.3   about_Functions_Advanced_Methods "The clean block was added in
#                                                                         PowerShell 7.3"; scripting/whats-new/what-s-new-in-powershell-73
#   generic-method-call         $o.Method[string]()                 7.3   CHANGELOG/7.3.md "Add support to allow invoking method with
#                                                                         generic type arguments"
#   escape-sequence             "`e"  "`u{263A}" (5.1: e, u{263A})  6.0   about_Special_Characters "added in PowerShell 6"
#   numeric-literal             1y 1uy 1s 1us 1u 1ul                6.2   about_Numeric_Literals, suffix table "Added in PowerShell 6.2"
#                               1n                                  7.0   about_Numeric_Literals "Added in PowerShell 7.0"
#                               0b101                               7.0   CHANGELOG/7.0.md "Add Binary Parsing Support"; not on the 5.1 page
#   type-accelerator            [short] [ushort] [uint] [ulong]     6.2   about_Numeric_Literals "added in PowerShell 6.2"
#   replace-scriptblock         'a' -replace 'a', { $_ }            6.1   about_Comparison_Operators "In PowerShell 6 and later, the -replace
#                               (5.1 inserts the block's text)            operator also accepts a scriptblock"; CHANGELOG/6.1.md
#   enum-underlying-type        enum E : byte { }                   6.2   about_Enum "Starting in PowerShell 6.2"; CHANGELOG/6.2.md
#                                                                         "Allow user-specified underlying type for enums"
#   automatic-variable          $IsWindows $IsLinux $IsMacOS        6.0   about_Automatic_Variables lists them, the 5.1 page does not (in 5.1
#                               $IsCoreCLR                                they are undefined: $null); CHANGELOG/6.0.md "IsWindows, IsLinux, IsOSX,
#                                                                         IsCore built-in PowerShell variables added", "Rename $IsOSX to
#                                                                         $IsMacOS", "IsCore variable renamed to IsCoreCLR"
#                               $PSStyle                            7.2   about_ANSI_Terminals "PowerShell 7.2 added a new automatic variable, $PSStyle"
#   common-parameter            -ProgressAction                     7.4   about_CommonParameters "added in PowerShell 7.4"
#   requires                    #requires -Version 6+ / -PSEdition Core   about_Requires (5.1 refuses to run the script)
#   command                     a cmdlet 5.1 does not ship (NEW_COMMANDS): Get-Error (gerr) 7.0: DIFF "New view ConciseView and cmdlet
#                               Get-Error", WN70; Join-String 6.2, Test-Json 6.1, Get-Uptime / Remove-Alias / Remove-Service 6.0: each
#                               cmdlet's page ("introduced in PowerShell x"); none of them has a 5.1 page
#   parameter                   a parameter the 5.1 cmdlet does not have (PARAMETERS), among them:
#                               ForEach-Object -Parallel                   7.0  module/microsoft.powershell.core/foreach-object
#                               ConvertTo-Json -AsArray                    6.1  CHANGELOG/6.1.md "Add -AsArray parameter"; not on the 5.1 page
#                               ConvertTo-Json -EnumsAsStrings             6.0  CHANGELOG/6.0.md "Add support for converting enums to string"
#                               ConvertTo-Json -EscapeHandling             6.2  module/microsoft.powershell.utility/convertto-json
#                               ConvertFrom-Json -AsHashtable / -Depth     6.0 / 6.2  module/microsoft.powershell.utility/convertfrom-json
#                               Invoke-WebRequest, Invoke-RestMethod: -SkipCertificateCheck -SslProtocol -Authentication 6.0, -Resume 6.1,
#                               -SkipHttpErrorCheck 7.0; Invoke-RestMethod -StatusCodeVariable 7.0 (module/microsoft.powershell.utility/
#                               invoke-webrequest and invoke-restmethod)
#                               Get-Content / Set-Content / Add-Content -AsByteStream  6.0  module/microsoft.powershell.management/get-content;
#                               DIFF "Unify cmdlets with parameter -Encoding to be of type System.Text.Encoding"
#                               Select-String -Raw                         7.0  module/microsoft.powershell.utility/select-string "introduced in PowerShell 7"
#                               ConvertFrom-SecureString -AsPlainText      7.0  module/microsoft.powershell.security/convertfrom-securestring
#   encoding                    -Encoding utf8NoBOM / utf8BOM / ansi / a code page, on a cmdlet whose 5.1 -Encoding takes only the names
#                               in ENCODINGS_51 (the 5.1 page's "Accepted values"); utf8NoBOM etc.: 6.0 (DIFF "Unify cmdlets with parameter
#                               -Encoding"); code page numbers: 6.2 (module/microsoft.powershell.utility/out-file "Beginning with PowerShell 6.2")
#
# Not rules, because 5.1 has them (each on its 5.1 page): using namespace / using module and class / enum (5.0,
# about_Using, about_Classes), [pscustomobject] and [ordered] (3.0, about_PSCustomObject, about_Hash_Tables),
# Get-CimInstance (CimCmdlets), New-Guid without parameters (5.0), ConvertTo-SecureString -AsPlainText,
# Start-Process -ArgumentList, Invoke-WebRequest -UseBasicParsing. Behaviour that differs without new syntax (the JSON
# ConvertTo-Json writes, -Encoding UTF8 meaning with a BOM in 5.1) is no parse matter: ps51-json-guard.ps1 holds
# ConvertTo-Json to what 5.1 writes.
#
# PARAMETERS, NEW_COMMANDS and ALIASES_51 are data from Microsoft's cmdlet reference (github.com/MicrosoftDocs/PowerShell-Docs
# at commit 27138b21b, reference/5.1 and reference/7.6): for each cmdlet documented for both, the parameters the 7.6
# page has and the 5.1 page has not ("new", written Name(alias,...)@version, the version where the page or the
# CHANGELOG names it, else 6+), and the 5.1 names and aliases that begin with the letter of a new one ("old": an
# abbreviation 5.1 resolves to one of those is no new parameter); the cmdlets with no 5.1 page; the 5.1 pages' aliases.

using namespace System.Management.Automation.Language

[CmdletBinding()]
param(
  [string]$Path,
  [string]$Json
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

# Cmdlets 5.1 does not ship (name -> version that added it; '6+' where the reference names none).
$NEW_COMMANDS = @{
  'ConvertFrom-CliXml' = '7.5'; 'ConvertTo-CliXml' = '7.5'; 'ConvertFrom-Markdown' = '6.1'; 'Show-Markdown' = '6.1'
  'Get-MarkdownOption' = '6+'; 'Set-MarkdownOption' = '6+'; 'Disable-ExperimentalFeature' = '6.2'; 'Enable-ExperimentalFeature' = '6.2'
  'Get-ExperimentalFeature' = '6+'; 'Get-Error' = '7.0'; 'Get-PSSubsystem' = '6+'; 'Get-SecureRandom' = '6+'; 'Get-Uptime' = '6.0'
  'Join-String' = '6.2'; 'Remove-Alias' = '6.0'; 'Remove-Service' = '6.0'; 'Start-ThreadJob' = '6+'; 'Switch-Process' = '7.3'; 'Test-Json' = '6.1'
}
$NEW_COMMAND_ALIASES = @{ 'gerr' = 'Get-Error'; 'exec' = 'Switch-Process' }

# 5.1's aliases of the cmdlets in the tables below (front matter of each ?view=powershell-5.1 page).
$ALIASES_51 = @{
  'ac' = 'Add-Content'; 'cvpa' = 'Convert-Path'; 'dbp' = 'Disable-PSBreakpoint'; 'ebp' = 'Enable-PSBreakpoint'
  'etsn' = 'Enter-PSSession'; 'epcsv' = 'Export-Csv'; 'epsn' = 'Export-PSSession'; '%' = 'ForEach-Object'
  'foreach' = 'ForEach-Object'; 'fhx' = 'Format-Hex'; 'gcls' = 'Get-CimClass'; 'gcb' = 'Get-Clipboard'
  'cat' = 'Get-Content'; 'gc' = 'Get-Content'; 'type' = 'Get-Content'; 'gmo' = 'Get-Module'
  'gbp' = 'Get-PSBreakpoint'; 'gu' = 'Get-Unique'; 'ipcsv' = 'Import-Csv'; 'ipmo' = 'Import-Module'
  'irm' = 'Invoke-RestMethod'; 'curl' = 'Invoke-WebRequest'; 'iwr' = 'Invoke-WebRequest'
  'wget' = 'Invoke-WebRequest'; 'measure' = 'Measure-Object'; 'nsn' = 'New-PSSession'; 'rbp' = 'Remove-PSBreakpoint'
  'rvpa' = 'Resolve-Path'; 'select' = 'Select-Object'; 'sls' = 'Select-String'; 'scb' = 'Set-Clipboard'
  'sc' = 'Set-Content'; 'sbp' = 'Set-PSBreakpoint'; 'sort' = 'Sort-Object'; 'saps' = 'Start-Process'
  'start' = 'Start-Process'; 'sleep' = 'Start-Sleep'; 'tee' = 'Tee-Object'; '?' = 'Where-Object'
  'where' = 'Where-Object'
}

# 5.1's common parameters and their aliases (about_CommonParameters, ?view=powershell-5.1): never new.
$COMMON_51 = ('Verbose vb Debug db ErrorAction ea WarningAction wa InformationAction infa ErrorVariable ev WarningVariable wv ' +
  'InformationVariable iv OutVariable ov OutBuffer ob PipelineVariable pv') -split ' '

# The names 5.1's -Encoding takes, per cmdlet ("Accepted values" of each ?view=powershell-5.1 page). Send-MailMessage is
# left out: its -Encoding is a [System.Text.Encoding] in 5.1 already.
$FS_ENCODINGS = 'ASCII BigEndianUnicode BigEndianUTF32 Byte Default OEM String Unicode Unknown UTF7 UTF8 UTF32'
$TEXT_ENCODINGS = 'ASCII BigEndianUnicode Default OEM Unicode UTF7 UTF8 UTF32'
$ENCODINGS_51 = @{
  'Add-Content' = $FS_ENCODINGS; 'Get-Content' = $FS_ENCODINGS; 'Set-Content' = $FS_ENCODINGS
  'Out-File' = 'ASCII BigEndianUnicode Default OEM String Unicode Unknown UTF7 UTF8 UTF32'
  'Export-Clixml' = $TEXT_ENCODINGS; 'Export-Csv' = $TEXT_ENCODINGS; 'Import-Csv' = $TEXT_ENCODINGS; 'Export-PSSession' = $TEXT_ENCODINGS
  'Select-String' = $TEXT_ENCODINGS; 'Format-Hex' = 'ASCII BigEndianUnicode Unicode UTF7 UTF8 UTF32'
}

# new <cmdlet> Name(alias,...)@version ...  /  old <cmdlet> name-or-alias ...   (see the header)
$PARAMETER_DATA = @'
new Add-Content AsByteStream@6.0
new Add-Type CompilerOptions
old Add-Type CodeDomProvider CompilerParameters CP
new Compress-Archive PassThru@6.0
old Compress-Archive Path PSPath
new Convert-Path Force@7.5
new ConvertFrom-Json AsHashtable@6.0 DateKind@7.5 Depth@6.2 NoEnumerate
new ConvertFrom-SecureString AsPlainText@7.0
new ConvertFrom-StringData Delimiter@7
new ConvertTo-Csv IncludeTypeInformation(ITI)@6.0 NoHeader@7.4 QuoteFields(QF)@7.0 UseQuotes(UQ)@7.0
old ConvertTo-Csv InputObject NoTypeInformation NTI UseCulture
new ConvertTo-Html Charset@6.0 Meta@6.0 Transitional@6.0
old ConvertTo-Html CssUri cu Title
new ConvertTo-Json AsArray@6.1 EnumsAsStrings@6.0 EscapeHandling@6.2
new Debug-Job BreakAll@7.2
new Debug-Runspace BreakAll@7.2
new Disable-PSBreakpoint Runspace(RunspaceId)@7.2
new Enable-PSBreakpoint Runspace(RunspaceId)@7.2
new Enter-PSHostProcess CustomPipeName@6.2
new Enter-PSSession ConnectingTimeout@7.2 HostName@6.0 KeyFilePath(IdentityFilePath)@6.0 Options SSHTransport@6.0
new Enter-PSSession Subsystem UserName@6.0
old Enter-PSSession CertificateThumbprint Cn ComputerName ConfigurationName ConnectionUri ContainerId Credential CU Id
old Enter-PSSession InstanceId Session SessionOption URI UseSSL
new Expand-Archive PassThru
old Expand-Archive Path PSPath
new Export-Csv IncludeTypeInformation(ITI)@6.0 NoHeader@7.4 QuoteFields(QF)@7.0 UseQuotes(UQ)@7.0
old Export-Csv InputObject NoClobber NoOverwrite NoTypeInformation NTI UseCulture
new ForEach-Object AsJob@7.0 Parallel@7.0 ThrottleLimit@7.0 TimeoutSeconds@7.0 UseNewRunspace@7.1
old ForEach-Object Args ArgumentList Process
new Format-Hex Count@6.2 Offset@6.2
new Get-CimClass Amended@7.3
new Get-Clipboard Delimiter
new Get-Command ExcludeModule FuzzyMinimumDistance UseAbbreviationExpansion UseFuzzyMatching
old Get-Command FullyQualifiedModule
new Get-Content AsByteStream@6.0
new Get-Credential Title@6.0
new Get-Culture ListAvailable@6.2 Name@6.2 NoUserOverrides@6.2
new Get-Date AsUTC@7.1 UnixTimeSeconds(UnixTime)@7.1
old Get-Date UFormat
new Get-Module SkipEditionCheck
new Get-PSBreakpoint Runspace@7.2
new Get-PSReadLineKeyHandler Chord(Key)
new Get-PfxCertificate NoPromptForPassword Password@6.1
old Get-PfxCertificate PSPath
new Get-Random Shuffle
old Get-Random SetSeed
new Get-Unique CaseInsensitive@7.4
new Get-Verb Group@6.0
new Import-Module SkipEditionCheck UseWindowsPowerShell(UseWinPS)
old Import-Module Scope
new Import-PowerShellDataFile SkipLimitCheck
new Invoke-Command ConnectingTimeout@7.2 HostName@6.0 KeyFilePath(IdentityFilePath)@6.0 Options@7.3 RemoteDebug
new Invoke-Command SSHConnection@6.0 SSHTransport@6.0 Subsystem UserName@6.0
old Invoke-Command CertificateThumbprint Cn Command ComputerName ConfigurationName ConnectionUri ContainerId
old Invoke-Command Credential CU HCN HideComputerName InDisconnectedSession InputObject RunAsAdministrator ScriptBlock
old Invoke-Command Session SessionName SessionOption URI UseSSL
new Invoke-RestMethod AllowInsecureRedirect@7.4 AllowUnencryptedAuthentication@6.0 Authentication@6.0
new Invoke-RestMethod ConnectionTimeoutSeconds(TimeoutSec) CustomMethod(CM)@6.0 FollowRelLink(FL)@6.0 Form@6.1
new Invoke-RestMethod HttpVersion MaximumFollowRelLink(ML) MaximumRetryCount NoProxy@6.0 OperationTimeoutSeconds
new Invoke-RestMethod PreserveAuthorizationOnRedirect@6.0 PreserveHttpMethodOnRedirect@7.4
new Invoke-RestMethod ResponseHeadersVariable(RHV)@6.0 Resume@6.1 RetryIntervalSec SkipCertificateCheck@6.0
new Invoke-RestMethod SkipHeaderValidation@6.0 SkipHttpErrorCheck@7 SslProtocol@6.0 StatusCodeVariable@7 Token@6.0
new Invoke-RestMethod UnixSocket@7.4
old Invoke-RestMethod Certificate CertificateThumbprint ContentType Credential Headers MaximumRedirection Method
old Invoke-RestMethod OutFile PassThru Proxy ProxyCredential ProxyUseDefaultCredentials SessionVariable SV TimeoutSec
old Invoke-RestMethod TransferEncoding Uri UseBasicParsing UseDefaultCredentials UserAgent
new Invoke-WebRequest AllowInsecureRedirect@7.4 AllowUnencryptedAuthentication@6.0 Authentication@6.0
new Invoke-WebRequest ConnectionTimeoutSeconds(TimeoutSec) CustomMethod(CM)@6.0 Form@6.1 HttpVersion MaximumRetryCount
new Invoke-WebRequest NoProxy@6.0 OperationTimeoutSeconds PreserveAuthorizationOnRedirect@6.0
new Invoke-WebRequest PreserveHttpMethodOnRedirect@7.4 Resume@6.1 RetryIntervalSec SkipCertificateCheck@6.0
new Invoke-WebRequest SkipHeaderValidation@6.0 SkipHttpErrorCheck@7 SslProtocol@6.0 Token@6.0 UnixSocket@7.4
old Invoke-WebRequest Certificate CertificateThumbprint ContentType Credential Headers MaximumRedirection Method
old Invoke-WebRequest OutFile PassThru Proxy ProxyCredential ProxyUseDefaultCredentials SessionVariable SV TimeoutSec
old Invoke-WebRequest TransferEncoding Uri UseBasicParsing UseDefaultCredentials UserAgent
new Join-Path AdditionalChildPath@6.0
new Measure-Object AllStats StandardDeviation
old Measure-Object Average Sum
new New-Guid Empty InputObject
new New-ModuleManifest ExternalModuleDependencies Prerelease RequireLicenseAcceptance
old New-ModuleManifest PassThru Path PowerShellHostName PowerShellHostVersion PowerShellVersion PrivateData
old New-ModuleManifest ProcessorArchitecture ProjectUri ReleaseNotes RequiredAssemblies RequiredModules RootModule
new New-PSSession ConnectingTimeout@7.2 HostName@6.0 KeyFilePath(IdentityFilePath)@6.0 Options SSHConnection@6.0
new New-PSSession SSHTransport@6.0 Subsystem UseWindowsPowerShell UserName@6.0
old New-PSSession CertificateThumbprint Cn ComputerName ConfigurationName ConnectionUri ContainerId Credential CU
old New-PSSession Session SessionOption URI UseSSL
new New-Service SecurityDescriptorSddl(sd)
old New-Service ServiceName StartupType
new New-TimeSpan Milliseconds
old New-TimeSpan Minutes
new Out-String NoNewline@6.0
new Read-Host MaskInput@7.1
new Register-ArgumentCompleter NativeFallback@7.6
old Register-ArgumentCompleter Native
new Remove-PSBreakpoint Runspace(RunspaceId)@7.2
new Resolve-Path Force@7.5 RelativeBasePath@7.4
old Resolve-Path Relative
new Save-Help Scope
new Select-Object CaseInsensitive@7.4 SkipIndex@6.0
old Select-Object Skip SkipLast
new Select-String Culture@7 NoEmphasis@7 Raw@7
old Select-String CaseSensitive Context NotMatch
new Send-MailMessage ReplyTo@6.2
new Set-Clipboard AsOSC52(ToLocalhost)@7.4 PassThru
old Set-Clipboard Append AsHtml Path PSPath
new Set-Content AsByteStream@6.0
new Set-PSBreakpoint Runspace@7.2
new Set-PSReadLineOption PredictionSource PredictionViewStyle TerminateOrphanedConsoleApps
old Set-PSReadLineOption PromptText
new Set-Service Credential@6.0 Force SecurityDescriptorSddl(sd)
old Set-Service cf cn ComputerName Confirm ServiceName SM SN ST StartMode StartupType Status
new Sort-Object Bottom@6.0 Stable Top@6.0
new Split-Path Extension@6.0 LeafBase@6.0
old Split-Path Leaf LiteralPath
new Start-Job WorkingDirectory@7
new Start-Process Confirm(cf) Environment@7.4 WhatIf(wi)@6.0
old Start-Process Credential Wait WindowStyle WorkingDirectory
new Start-Sleep Duration(ts)@7.3
new Start-Transcript UseMinimalHeader@6.2
new Stop-Transcript Confirm(cf)@7.4 WhatIf(wi)@7.4
new Tee-Object Encoding@7.2
new Test-Connection Detailed@7.4 DontFragment IPv4 IPv6 MaxHops(Ttl,TimeToLive,Hops) MtuSize(MtuSizeDetect) Ping
new Test-Connection Repeat(Continuous) ResolveDestination TargetName(ComputerName) TcpPort TimeoutSeconds@6.0
new Test-Connection Traceroute
old Test-Connection CN ComputerName Count Credential DcomAuthentication Delay Destination Impersonation IPAddress
old Test-Connection Protocol ThrottleLimit TimeToLive TTL
new Update-Help Scope
old Update-Help SourcePath
new Wait-Process Any@7.4 PassThru@7.4
old Wait-Process PID ProcessId ProcessName
new Where-Object Not@6.1
old Where-Object NE NotContains NotIn NotLike NotMatch
'@

$PARAMETERS = @{}
foreach ($line in ($PARAMETER_DATA -split "`n")) {
  $words = @($line.Trim() -split ' +')
  if ($words.Count -lt 3) { continue }
  $cmdlet = $words[1]
  if (-not $PARAMETERS.ContainsKey($cmdlet)) {
    $PARAMETERS[$cmdlet] = @{ New = [System.Collections.Generic.List[object]]::new(); Old = [System.Collections.Generic.List[string]]::new() }
  }
  foreach ($word in $words[2..($words.Count - 1)]) {
    if ($words[0] -eq 'old') { $PARAMETERS[$cmdlet].Old.Add($word); continue }
    if ($word -notmatch '^(\w+)(?:\(([\w,]*)\))?(?:@([\d.]+))?$') { throw "ps51-rules: bad parameter data '$word'" }
    $names = @($Matches[1]) + @(if ($Matches[2]) { $Matches[2] -split ',' })
    $PARAMETERS[$cmdlet].New.Add(@{ Name = $Matches[1]; Names = $names; Since = $(if ($Matches[3]) { $Matches[3] } else { '6+' }) })
  }
}

$AUTOMATIC_VARIABLES = @{ 'IsWindows' = '6.0'; 'IsLinux' = '6.0'; 'IsMacOS' = '6.0'; 'IsCoreCLR' = '6.0'; 'PSStyle' = '7.2' }
$TYPE_ACCELERATORS = @('short', 'ushort', 'uint', 'ulong')

function New-Violation([string]$Rule, [string]$Since, [string]$Detail, [IScriptExtent]$Extent, [string]$Message) {
  $text = $Extent.Text
  $eol = $text.IndexOfAny([char[]]"`r`n")
  if ($eol -ge 0) { $text = $text.Substring(0, $eol) }
  if ($text.Length -gt 120) { $text = $text.Substring(0, 119) + '...' }
  [ordered]@{
    rule = $Rule; since = $Since; detail = $Detail; message = $Message
    line = $Extent.StartLineNumber; column = $Extent.StartColumnNumber; text = $text
  }
}

function Test-StartsWith([string]$Name, [string]$Prefix) { $Name.StartsWith($Prefix, [StringComparison]::OrdinalIgnoreCase) }

# The new parameter `$Given` (as written, maybe abbreviated) means on `$Cmdlet`, or $null when 5.1 knows it. An exact
# name wins over abbreviations (as in PowerShell's binder): Where-Object -Not is new though 5.1 has -NotLike.
function Find-NewParameter([string]$Cmdlet, [string]$Given) {
  $entry = $PARAMETERS[$Cmdlet]
  if (-not $entry -or -not $Given) { return $null }
  $old = @($entry.Old) + $COMMON_51
  if ($old -contains $Given) { return $null }
  foreach ($new in $entry.New) { if ($new.Names -contains $Given) { return $new } }
  foreach ($name in $old) { if (Test-StartsWith $name $Given) { return $null } }
  foreach ($new in $entry.New) { foreach ($name in $new.Names) { if (Test-StartsWith $name $Given) { return $new } } }
  $null
}

# The cmdlet a command name means in 5.1: module qualifier dropped, 5.1 alias resolved, name cased as in the tables.
function Resolve-CommandName([string]$Name) {
  if ($Name.Contains('\')) { $Name = $Name.Substring($Name.LastIndexOf('\') + 1) }
  if ($ALIASES_51.ContainsKey($Name)) { return $ALIASES_51[$Name] }
  if ($NEW_COMMAND_ALIASES.ContainsKey($Name)) { return $NEW_COMMAND_ALIASES[$Name] }
  foreach ($table in $NEW_COMMANDS, $PARAMETERS, $ENCODINGS_51) {
    foreach ($key in $table.Keys) { if ($key -eq $Name) { return $key } }
  }
  $Name
}

# The string's own text: nested $(...) and $var parts blanked (they are checked as nodes of their own).
function Get-OwnStringText([Ast]$Node) {
  $chars = $Node.Extent.Text.ToCharArray()
  if ($Node -is [ExpandableStringExpressionAst]) {
    foreach ($nested in $Node.NestedExpressions) {
      for ($k = $nested.Extent.StartOffset - $Node.Extent.StartOffset; $k -lt $nested.Extent.EndOffset - $Node.Extent.StartOffset; $k++) { $chars[$k] = ' ' }
    }
  }
  -join $chars
}

function Get-TypeNames([ITypeName]$TypeName) {
  if ($TypeName -is [GenericTypeName]) { Get-TypeNames $TypeName.TypeName; foreach ($a in $TypeName.GenericArguments) { Get-TypeNames $a } }
  elseif ($TypeName -is [ArrayTypeName]) { Get-TypeNames $TypeName.ElementType }
  else { $TypeName }
}

function Get-Violations([ScriptBlockAst]$Ast, [Token[]]$Tokens) {
  $found = [System.Collections.Generic.List[object]]::new()
  $nodes = $Ast.FindAll({ $true }, $true)
  foreach ($node in $nodes) {
    if ($node -is [BinaryExpressionAst] -and $node.Operator -eq [TokenKind]::QuestionQuestion) {
      $found.Add((New-Violation 'null-coalescing' '7.0' '??' $node.ErrorPosition 'the null-coalescing operator ?? is PowerShell 7.0+'))
    }
    elseif ($node -is [AssignmentStatementAst] -and $node.Operator -eq [TokenKind]::QuestionQuestionEquals) {
      $found.Add((New-Violation 'null-coalescing-assignment' '7.0' '??=' $node.ErrorPosition 'the null-coalescing assignment ??= is PowerShell 7.0+'))
    }
    elseif ($node -is [MemberExpressionAst] -and $node.NullConditional) {
      $found.Add((New-Violation 'null-conditional' '7.1' '?.' $node.Extent 'null-conditional member access ?. is PowerShell 7.1+ (experimental in 7.0)'))
    }
    elseif ($node -is [IndexExpressionAst] -and $node.NullConditional) {
      $found.Add((New-Violation 'null-conditional' '7.1' '?[]' $node.Extent 'null-conditional index ?[] is PowerShell 7.1+ (experimental in 7.0)'))
    }
    elseif ($node -is [TernaryExpressionAst]) {
      $found.Add((New-Violation 'ternary' '7.0' '? :' $node.Extent 'the ternary operator a ? b : c is PowerShell 7.0+'))
    }
    elseif ($node -is [PipelineChainAst]) {
      $op = if ($node.Operator -eq [TokenKind]::AndAnd) { '&&' } else { '||' }
      $found.Add((New-Violation 'pipeline-chain' '7.0' $op $node.Extent "the pipeline chain operator $op is PowerShell 7.0+"))
    }
    if (($node -is [PipelineAst] -or $node -is [PipelineChainAst]) -and $node.Background -and -not ($node.Parent -is [PipelineChainAst])) {
      $found.Add((New-Violation 'background-operator' '6.0' '&' $node.Extent 'a pipeline ending in & (run as a background job) is PowerShell 6.0+'))
    }
    if ($node -is [NamedBlockAst] -and $node.BlockKind -eq [TokenKind]::Clean) {
      $found.Add((New-Violation 'clean-block' '7.3' 'clean' $node.Extent 'the clean { } block is PowerShell 7.3+'))
    }
    if ($node -is [InvokeMemberExpressionAst] -and $node.GenericTypeArguments -and $node.GenericTypeArguments.Count -gt 0) {
      $found.Add((New-Violation 'generic-method-call' '7.3' 'Method[T]()' $node.Extent 'a method call with generic type arguments is PowerShell 7.3+'))
    }
    if (($node -is [ExpandableStringExpressionAst]) -or
      ($node -is [StringConstantExpressionAst] -and ($node.StringConstantType -in 'DoubleQuoted', 'DoubleQuotedHereString', 'BareWord'))) {
      $own = Get-OwnStringText $node
      for ($k = 0; $k -lt $own.Length - 1; $k++) {
        if ($own[$k] -ne '`') { continue }
        $next = $own[$k + 1]
        if ($next -ceq 'e') {
          $found.Add((New-Violation 'escape-sequence' '6.0' '`e' $node.Extent 'the escape `e is PowerShell 6.0+ (5.1 reads it as e)'))
        } elseif ($next -ceq 'u' -and $k + 2 -lt $own.Length -and $own[$k + 2] -eq '{') {
          $found.Add((New-Violation 'escape-sequence' '6.0' '`u{}' $node.Extent 'the escape `u{...} is PowerShell 6.0+ (5.1 reads it as u{...})'))
        }
        $k++
      }
    }
    if ($node -is [ConstantExpressionAst] -and $node -isnot [StringConstantExpressionAst]) {
      # Type suffixes (none of u, y, s, n is a hex digit, so hex literals need no special case), after the multiplier.
      $literal = $node.Extent.Text -replace '(?i)(kb|mb|gb|tb|pb)$', ''
      if ($literal -match '(?i)^[+-]?0b[01]') {
        $found.Add((New-Violation 'numeric-literal' '7.0' '0b' $node.Extent 'binary literals (0b...) are PowerShell 7.0+'))
      } elseif ($literal -match '(?i)[0-9a-f.]n$') {
        $found.Add((New-Violation 'numeric-literal' '7.0' 'n' $node.Extent 'the BigInteger suffix n is PowerShell 7.0+'))
      } elseif ($literal -match '(?i)[0-9a-f.](uy|us|ul|u|y|s)$') {
        $suffix = $Matches[1].ToLowerInvariant()
        $found.Add((New-Violation 'numeric-literal' '6.2' $suffix $node.Extent "the numeric suffix $suffix is PowerShell 6.2+"))
      }
    }
    if ($node -is [TypeExpressionAst] -or $node -is [TypeConstraintAst]) {
      foreach ($typeName in Get-TypeNames $node.TypeName) {
        if ($typeName.FullName -in $TYPE_ACCELERATORS) {
          $accelerator = "[$($typeName.FullName)]"
          $found.Add((New-Violation 'type-accelerator' '6.2' $accelerator $node.Extent "the type accelerator $accelerator is PowerShell 6.2+"))
        }
      }
    }
    if ($node -is [BinaryExpressionAst] -and ($node.Operator -in [TokenKind]::Ireplace, [TokenKind]::Creplace) -and
      $node.Right -is [ArrayLiteralAst] -and $node.Right.Elements.Count -eq 2 -and $node.Right.Elements[1] -is [ScriptBlockExpressionAst]) {
      $message = '-replace with a scriptblock substitution is PowerShell 6.1+ (5.1 inserts the block''s text)'
      $found.Add((New-Violation 'replace-scriptblock' '6.1' '-replace {}' $node.Extent $message))
    }
    if ($node -is [TypeDefinitionAst] -and $node.IsEnum -and $node.BaseTypes.Count -gt 0) {
      $found.Add((New-Violation 'enum-underlying-type' '6.2' 'enum : type' $node.Extent 'an enum with an underlying type is PowerShell 6.2+'))
    }
    if ($node -is [VariableExpressionAst]) {
      $name = $node.VariablePath.UserPath -replace '^(?i)(global|script|local|private):', ''
      foreach ($key in $AUTOMATIC_VARIABLES.Keys) {
        if ($key -eq $name) {
          $since = $AUTOMATIC_VARIABLES[$key]
          $found.Add((New-Violation 'automatic-variable' $since "`$$key" $node.Extent "`$$key is PowerShell $since+ (undefined, so `$null, in 5.1)"))
        }
      }
    }
    if ($node -is [CommandAst]) { foreach ($v in Get-CommandViolations $node) { $found.Add($v) } }
  }
  $requirements = $Ast.ScriptRequirements
  if ($requirements) {
    $requires = @($Tokens | Where-Object { $_.Kind -eq [TokenKind]::Comment -and $_.Text -match '^#requires' } | Select-Object -First 1)
    $extent = if ($requires.Count) { $requires[0].Extent } else { $Ast.Extent }
    if ($requirements.RequiredPSVersion -and $requirements.RequiredPSVersion -gt [version]'5.1') {
      $version = "$($requirements.RequiredPSVersion)"
      $found.Add((New-Violation 'requires' $version '-Version' $extent "#requires -Version $version refuses to run on 5.1"))
    }
    if ($requirements.RequiredPSEditions -and $requirements.RequiredPSEditions -notcontains 'Desktop') {
      $found.Add((New-Violation 'requires' '6.0' '-PSEdition' $extent '#requires -PSEdition without Desktop refuses to run on Windows PowerShell 5.1'))
    }
  }
  $found
}

function Get-CommandViolations([CommandAst]$Command) {
  $name = $Command.GetCommandName()
  if (-not $name) { return }
  $cmdlet = Resolve-CommandName $name
  if ($NEW_COMMANDS.ContainsKey($cmdlet)) {
    $since = $NEW_COMMANDS[$cmdlet]
    New-Violation 'command' $since $cmdlet $Command.CommandElements[0].Extent "$cmdlet is not in Windows PowerShell 5.1 (PowerShell $since)"
  }
  $elements = $Command.CommandElements
  for ($i = 1; $i -lt $elements.Count; $i++) {
    $element = $elements[$i]
    if ($element -isnot [CommandParameterAst]) { continue }
    $given = $element.ParameterName
    if ($given -eq 'ProgressAction' -or $given -eq 'proga') {
      New-Violation 'common-parameter' '7.4' '-ProgressAction' $element.Extent 'the common parameter -ProgressAction is PowerShell 7.4+'
    }
    $new = Find-NewParameter $cmdlet $given
    if ($new) {
      $detail = "$cmdlet -$($new.Name)"
      New-Violation 'parameter' $new.Since $detail $element.Extent "$detail is not in Windows PowerShell 5.1 (PowerShell $($new.Since))"
    }
    if ($ENCODINGS_51.ContainsKey($cmdlet) -and $given.Length -ge 3 -and (Test-StartsWith 'Encoding' $given)) {
      $value = $element.Argument
      if (-not $value -and $i + 1 -lt $elements.Count -and $elements[$i + 1] -isnot [CommandParameterAst]) { $value = $elements[$i + 1] }
      $allowed = $ENCODINGS_51[$cmdlet] -split ' '
      if ($value -is [StringConstantExpressionAst] -and $value.Value -notin $allowed) {
        $detail = "$cmdlet -Encoding $($value.Value)"
        New-Violation 'encoding' '6.0' $detail $value.Extent "${detail}: 5.1 takes only $($allowed -join ', ')"
      } elseif ($value -is [ConstantExpressionAst] -and $value -isnot [StringConstantExpressionAst]) {
        New-Violation 'encoding' '6.2' "$cmdlet -Encoding $($value.Value)" $value.Extent "$cmdlet -Encoding with a code page number is PowerShell 6.2+"
      }
    }
  }
}

function Read-ScriptList {
  if ($Json) { $text = $Json }
  elseif ($Path) { $text = [System.IO.File]::ReadAllText($Path, [System.Text.UTF8Encoding]::new($false)) }
  else {
    [Console]::InputEncoding = [System.Text.UTF8Encoding]::new($false)
    $text = [Console]::In.ReadToEnd()
  }
  # System.Text.Json rather than ConvertFrom-Json: the texts come back exactly (no date conversion of string values).
  $document = [System.Text.Json.JsonDocument]::Parse($text)
  foreach ($item in $document.RootElement.EnumerateArray()) {
    @{ Name = $item.GetProperty('name').GetString(); Text = $item.GetProperty('text').GetString() }
  }
}

$results = foreach ($script in @(Read-ScriptList)) {
  $tokens = $null; $errors = $null
  $ast = [Parser]::ParseInput($script.Text, [ref]$tokens, [ref]$errors)
  $parseErrors = @(foreach ($e in $errors) {
      [ordered]@{ errorId = $e.ErrorId; message = $e.Message; line = $e.Extent.StartLineNumber; column = $e.Extent.StartColumnNumber }
    })
  [ordered]@{ name = $script.Name; parseErrors = $parseErrors; violations = @(Get-Violations $ast $tokens) }
}
[ordered]@{ engine = $PSVersionTable.PSVersion.ToString(); scripts = @($results) } | ConvertTo-Json -Depth 6 -Compress -EscapeHandling EscapeNonAscii
