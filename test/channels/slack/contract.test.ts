import { createSlackDriver } from '../../fakes/slack/driver.js';
import { channelContract } from '../contract.js';

channelContract('slack', () => createSlackDriver());
