import type { SessionScope } from '../../src/index.js';

/** What the Slack channel needs: tokens, where the Web API lives, and how sessions are scoped. */
export interface SlackChannelConfig {
  /** Bot token (`xoxb-…`), from `SLACK_BOT_TOKEN`. */
  botToken: string;
  /** Signing secret used to verify Events API, interactivity and slash-command requests over HTTP. */
  signingSecret: string;
  /** App-level token (`xapp-…`), from `SLACK_APP_TOKEN`; when set the channel uses Socket Mode instead of HTTP. */
  appToken?: string;
  /** Base URL of the Web API (default `https://slack.com/api/`), from `SLACK_API_URL`; tests point it at a fake. */
  apiUrl?: string;
  /** One session per thread (default), per channel or per user. */
  sessionScope: SessionScope;
  /** The slash command, e.g. `/switchboard`. */
  command: string;
}

/** The route the daemon's HTTP server forwards Slack requests from. */
export const SLACK_EVENTS_PATH = '/slack/events';
