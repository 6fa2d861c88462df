import { createTelegramDriver } from '../../fakes/telegram/driver.js';
import { channelContract } from '../contract.js';

channelContract('telegram', () => createTelegramDriver());
channelContract('telegram (webhook)', () => createTelegramDriver({ transport: 'webhook' }));
