/**
 * Types for the undici files the handler imports one by one (the package's index would load all of
 * undici, fetch and WebSocket included): each is the class the package exports under that name.
 */
declare module 'undici/lib/dispatcher/client' {
  import { Client } from 'undici';
  export = Client;
}

declare module 'undici/lib/dispatcher/proxy-agent' {
  import { ProxyAgent } from 'undici';
  export = ProxyAgent;
}

declare module 'undici/lib/dispatcher/dispatcher' {
  import { Dispatcher } from 'undici';
  export = Dispatcher;
}

declare module 'undici/lib/api/api-connect' {
  import { Dispatcher } from 'undici';
  const connect: Dispatcher['connect'];
  export = connect;
}
