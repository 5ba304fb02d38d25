// The agent's version, reported in `inventory` and by `--version`. The build may replace this constant.
export const AGENT_VERSION = '0.1.0';
