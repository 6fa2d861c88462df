/**
 * The Slack channel's settings and Slack's limits, in one place: the config type the composition
 * root fills from SLACK_* variables and `channels.slack.*`, the route it serves, and every number
 * Slack imposes that the adapter has to respect.
 */
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

/** Between two edits of a streamed reply (`chat.update`, Tier 3: about 50 a minute). */
export const SLACK_DRAFT_INTERVAL_MS = 1_200;

/** An assistant thread's status clears after two minutes: it is set again after this long. */
export const SLACK_STATUS_REFRESH_MS = 60_000;

/** Slack's limit of one section block's text. */
export const SLACK_SECTION_LIMIT = 3_000;

/** Slack's limit of one message's text. */
export const SLACK_MESSAGE_LIMIT = 40_000;

/** Slack's limit of blocks in one message. */
export const SLACK_MAX_BLOCKS = 50;

/** Slack gives up on an interaction or command that is not acknowledged within 3 s. */
export const SLACK_ACK_DEADLINE_MS = 3_000;

/** Slack's window for a request timestamp, either way: older (or newer) requests are replays. */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;
