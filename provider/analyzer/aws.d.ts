declare const aws: any;
export = aws;
