import { createDiscordDriver } from '../../fakes/discord/driver.js';
import { channelContract } from '../contract.js';

channelContract('discord', () => createDiscordDriver());
