export interface RunningService {
  name: string;
  url: string;
  pid?: number;
  stop(): Promise<void>;
}
